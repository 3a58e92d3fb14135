// Data-driven checks of the reduce op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { REDUCE_RECORDS } from "./helpers/op-records.js";

runRecords(REDUCE_RECORDS);
