// `node bench/daemon/wake.js` (Linux): what a hand-over between two threads costs on this machine, which decides how
// thwonkd should split its work (bench/RESULTS.md, "Issue 13 (ninth pass)"). Three measures, per post or round trip:
//   post     the posting thread's CPU (/proc/thread-self/schedstat) for a post to a worker that polls its port and
//            never sleeps: the cost of the message itself, the baseline;
//   awake    a round trip (post, answer), the next post as soon as the answer came: CPU of both threads (the process);
//   asleep   the same with 1 ms between round trips, so that both threads sleep between, as a lone run's worker does.
// Payload: BENCH_PAYLOAD characters a post (default 4000, about a chain's inputs); BENCH_TRIPS round trips (5000).
import { readFileSync } from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

const TRIPS = Number(process.env.BENCH_TRIPS ?? 5000);
const PAYLOAD = "x".repeat(Number(process.env.BENCH_PAYLOAD ?? 4000));

/** This thread's time on a CPU so far, µs. */
const threadCpu = () => Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1000;

if (!isMainThread) {
  if (workerData?.poll) {
    const port = workerData.port;
    let n = 0;
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m === undefined) continue;
      if (m.message === "stop") break;
      n++;
    }
    port.postMessage(n);
  } else parentPort.on("message", () => parentPort.postMessage(1));
} else {
  // post: to a thread that never sleeps.
  const { port1, port2 } = new MessageChannel();
  const poller = new Worker(new URL(import.meta.url), { workerData: { poll: true, port: port2 }, transferList: [port2] });
  await new Promise((r) => setTimeout(r, 100));
  const posts = TRIPS * 10;
  const p0 = threadCpu();
  for (let i = 0; i < posts; i++) port1.postMessage(PAYLOAD);
  const post = (threadCpu() - p0) / posts;
  port1.postMessage("stop");
  const got = await new Promise((r) => port1.once("message", r));
  if (got !== posts) throw new Error(`the poller received ${got} of ${posts}`);
  port1.close();
  await poller.terminate();

  const w = new Worker(new URL(import.meta.url));
  const trips = async (gapMs) => {
    let n = 0;
    const c0 = process.cpuUsage();
    await new Promise((done) => {
      const send = () => w.postMessage(PAYLOAD);
      w.on("message", function next() {
        if (++n < TRIPS) return void (gapMs ? setTimeout(send, gapMs) : send());
        w.off("message", next);
        done();
      });
      send();
    });
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / TRIPS;
  };
  const awake = await trips(0);
  const asleep = await trips(1);
  await w.terminate();
  console.log(`${PAYLOAD.length} characters a post; ${posts} posts, ${TRIPS} round trips each way`);
  console.log(`post to a thread that never sleeps: ${post.toFixed(1)} µs of the posting thread's CPU (the baseline)`);
  console.log(`round trip, back to back:          ${awake.toFixed(1)} µs of CPU, both threads (${(awake / post).toFixed(1)}× the baseline)`);
  console.log(`round trip, both asleep between:   ${asleep.toFixed(1)} µs of CPU, both threads (${(asleep / post).toFixed(1)}× the baseline)`);
}
