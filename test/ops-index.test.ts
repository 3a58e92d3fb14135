// Data-driven checks of the index op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { INDEX_RECORDS } from "./helpers/op-records.js";

runRecords(INDEX_RECORDS);
