import { elementwiseMicros, gradCallsPerSecond } from "./bench/overhead.ts";
for (let r = 0; r < 5; r++) console.log("us/op", elementwiseMicros().toFixed(2), "scalar", elementwiseMicros(10000, 100, true).toFixed(2), "grad/s", gradCallsPerSecond(3000).toFixed(0));
