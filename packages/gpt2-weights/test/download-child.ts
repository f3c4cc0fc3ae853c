// Child process for the download tests: downloads argv[2] to argv[3] ("killed mid-download", "two
// downloads of one file"); says so on stdout when it waits for another process's download.
import { downloadFile } from '../src/download-file.js';

await downloadFile(process.argv[2], process.argv[3], {
  retries: 0,
  onLockWait: (owner) => console.log(`waiting for pid ${owner.pid}`),
});
