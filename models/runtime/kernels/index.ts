// Gradient kernels the stock wasm backend lacks or runs slowly, registered before it initialises.
let registered = false;

export function registerWasmGradKernels(): void {
  if (registered) return;
  registered = true;
}
