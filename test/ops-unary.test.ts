// Data-driven checks of the unary op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { UNARY_RECORDS } from "./helpers/op-records.js";

runRecords(UNARY_RECORDS);
