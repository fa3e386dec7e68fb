/** Checkpoints: `torch.save` / `torch.load` over safetensors files, written atomically. */
export { save, load, saveAsync, loadAsync, type SaveOptions, type LoadOptions } from './save-load';
export { CheckpointError } from './errors';
