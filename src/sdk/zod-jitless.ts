import * as z from 'zod/mini';

// Only in the CDN runtime, where this zod copy is ours alone; npm users configure their own zod.
z.config({ jitless: true });
