/**
 * How code that is loaded later (the auth step and dynamic selects) is loaded. In the CDN build the
 * loader sets a preloader: before `import()` fetches such a chunk, the loader adds a `modulepreload`
 * link carrying the chunk's SRI hash (a bare `import()` cannot carry one), so the module map holds
 * the checked file and `import()` evaluates exactly that. A chunk that fails its hash rejects here
 * and is never evaluated. In npm builds no preloader is set: the app's bundler loads the chunk.
 */
export type ChunkPreloader = (name: string) => Promise<void>;

let preloader: ChunkPreloader | undefined;

/** Set once by the CDN runtime with the loader's preloader; page-wide, as chunks are. */
export function setChunkPreloader(preload: ChunkPreloader): void {
  preloader = preload;
}

/** Loads the chunk `name` (the build's name for it) through the preloader when there is one. */
export function loadChunk<T>(name: string, load: () => Promise<T>): Promise<T> {
  return preloader ? preloader(name).then(load) : load();
}
