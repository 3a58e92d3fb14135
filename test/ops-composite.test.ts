// Data-driven checks of the composite op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { COMPOSITE_RECORDS } from "./helpers/op-records.js";

runRecords(COMPOSITE_RECORDS);
