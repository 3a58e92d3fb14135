// Data-driven checks of the binary op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { BINARY_RECORDS } from "./helpers/op-records.js";

runRecords(BINARY_RECORDS);
