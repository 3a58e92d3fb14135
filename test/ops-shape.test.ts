// Data-driven checks of the shape op records: values vs a float64 reference, derivatives vs finite differences, vmap, jit.
import { runRecords } from "./helpers/run-records.js";
import { SHAPE_RECORDS } from "./helpers/op-records.js";

runRecords(SHAPE_RECORDS);
