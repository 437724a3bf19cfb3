// The smtp-server options of the benches' baselines (bare.js, floor.js): configured as thwonkd's ingress is
// (runtime/daemon/smtp.ts), so the servers differ only in what they do with a message.
export function baselineOptions(name, onData) {
  return { size: 10 * 1024 * 1024, name, banner: name, authOptional: true, disabledCommands: ["AUTH", "STARTTLS"], logger: false, onData };
}
