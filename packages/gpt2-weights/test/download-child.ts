// Child process for the "killed mid-download" test: downloads argv[2] to argv[3].
import { downloadFile } from '../src/download-file.js';

await downloadFile(process.argv[2], process.argv[3], { retries: 0 });
