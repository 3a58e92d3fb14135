import { elementwiseMicros } from "./bench/overhead.ts";
for (let r = 0; r < 30; r++) elementwiseMicros();
