// Where the studio keeps its files under TUTTI_MODELS_DIR (default <DATA_DIR>/models):
//   uploads/<collectionId>/<n>.mid           accepted MIDI files
//   versions/<versionId>/data/               the training data in the JSB format (uploads only)
//   versions/<versionId>/work/               the harness's checkpoints and log (resume)
//   versions/<versionId>/weights/            the generator-format weights, log and MODEL_CARD.md
// Deleting a version deletes its whole folder.
import path from 'node:path';

export const uploadDir = (modelsDir: string, collectionId: string): string => path.join(modelsDir, 'uploads', collectionId);
export const versionDir = (modelsDir: string, versionId: string): string => path.join(modelsDir, 'versions', versionId);
export const versionPaths = (modelsDir: string, versionId: string) => {
  const root = versionDir(modelsDir, versionId);
  return { root, data: path.join(root, 'data'), work: path.join(root, 'work'), weights: path.join(root, 'weights') };
};
