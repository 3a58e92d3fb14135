// Data-driven checks of the linear op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { LINEAR_RECORDS } from "./helpers/op-records.js";

runRecords(LINEAR_RECORDS);
