/**
 * The history page: past checks from IndexedDB (history-list.js, its charts drawn by
 * history-chart.js), downloads of them as CSV and JSON (history-download.js), and "Sync
 * now" and "Delete my data" (history-delete.js). Refreshes itself when the outbox changes
 * (a sync in another tab or the worker).
 *
 * Keep the words e-x-p-o-r-t and i-m-p-o-r-t out of this comment: Django's rewriting of
 * module paths (quiz/storage.py) matches them case-insensitively.
 */

import { onOutboxChange } from "./outbox.js";
import { refresh } from "./history-list.js";
import { setUpDownloads } from "./history-download.js";
import { setUpDelete, setUpSyncNow } from "./history-delete.js";

onOutboxChange(refresh);
setUpDownloads();
setUpSyncNow();
setUpDelete();
refresh();
