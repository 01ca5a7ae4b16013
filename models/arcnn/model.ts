// The AR-CNN as a Tutti generator (the lifecycle: load the committed weights, generate, dispose):
// validate the request, map the score onto the voice roll (./convert.ts), run the iterative
// sampler (annealed blocked Gibbs) and hand back notes to add and remove.
// Tasks: harmonize / accompany (melody given → alto, tenor, bass into new or target tracks),
// rewrite and infill (edit the target tracks inside the bar region).
import { GeneratorParamError, type GenerateOptions, type GenerateRequest, type GenerateResult, type Generator, type Score } from '../generator';
import { initRuntime } from '../runtime/index';
import { createRng } from '../runtime/rng';
import { disposeNet, type ArcnnNet } from './network';
import { ARCNN_TASKS, parseParams, samplerKnobs, type ArcnnTask } from './params';
import { sampleEdits } from './sampler';
import { planRequest, rollToResult } from './convert';
import { WEIGHTS_DIR, loadWeights } from './weights';
import { loadOnce } from '../runtime/load-once';

export interface ArcnnGeneratorOptions {
  /** Weights directory (default: the committed models/weights/arcnn). */
  weightsDir?: string;
  /** Use this network instead of loading weights (tests, eval of an untrained net). */
  net?: ArcnnNet;
}

export class ArcnnGenerator implements Generator {
  readonly name = 'arcnn' as const;
  readonly tasks = ARCNN_TASKS;
  private net: ArcnnNet | null;
  private readonly ownsNet: boolean;
  /** A failed load stays failed until dispose() (as the GAN's). */
  private readonly load = loadOnce(
    async () => {
      await initRuntime();
      if (!this.net) this.net = loadWeights(this.opts.weightsDir ?? WEIGHTS_DIR).net;
    },
    { keepFailure: true },
  );

  constructor(private readonly opts: ArcnnGeneratorOptions = {}) {
    this.net = opts.net ?? null;
    this.ownsNet = !opts.net;
  }

  initialize(): Promise<void> {
    return this.load();
  }

  async generate(score: Score, request: GenerateRequest, options: GenerateOptions = {}): Promise<GenerateResult> {
    const t0 = performance.now();
    if (!(ARCNN_TASKS as readonly string[]).includes(request.task))
      throw new GeneratorParamError(`the AR-CNN does not do "${request.task}" (it does ${ARCNN_TASKS.join(', ')})`);
    const task = request.task as ArcnnTask;
    if (request.seed !== undefined && !Number.isFinite(request.seed)) throw new GeneratorParamError('seed must be a finite number');
    const params = parseParams(task, request.params);
    const plan = planRequest(score, request, task, params);
    await this.initialize();
    const rng = createRng(request.seed ?? 0);
    const progress = { onProgress: options.onProgress, signal: options.signal };
    // Every task runs the same annealed blocked Gibbs on the network's per-voice-step conditionals
    // (./gibbs); the caps bound what an edit may remove and add.
    const res = await sampleEdits(this.net!, { roll: plan.roll, editable: plan.editable }, samplerKnobs(params), rng, progress);
    const { add, remove } = rollToResult(plan, res.roll);
    const used = new Set(add.map((n) => n.trackId as string));
    return {
      // A new voice the sampler left silent is not worth a track.
      newTracks: plan.newTracks.filter((t) => used.has(t.ref)),
      add,
      remove,
      stats: {
        iterations: res.iterations,
        toggles: res.toggles,
        cells_added: res.added,
        cells_removed: res.removed,
        steps: plan.roll.steps,
        ms: Math.round(performance.now() - t0),
      },
    };
  }

  dispose(): void {
    if (this.net && this.ownsNet) disposeNet(this.net);
    this.net = null;
    this.load.reset();
  }
}

export function createGenerator(opts?: ArcnnGeneratorOptions): Generator {
  return new ArcnnGenerator(opts);
}
