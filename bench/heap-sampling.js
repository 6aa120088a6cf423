// Preloaded into a gateway process by bench/allocations.ts (`node --import`): V8's sampling heap
// profiler, counting objects the garbage collector has already freed, so the profile shows what a
// request allocates, not what it keeps. SIGUSR2 starts sampling; the next SIGUSR2 writes the profile
// to $FREEWAY_HEAP_PROFILE and stops.
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) console.error(`heap sampling failed: ${error.message}`);
    else {
      // Whole or not at all: the reader polls the file.
      const file = process.env.FREEWAY_HEAP_PROFILE;
      writeFileSync(`${file}.tmp`, JSON.stringify(result.profile));
      renameSync(`${file}.tmp`, file);
    }
  });
});
