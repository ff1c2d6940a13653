// Helpers for tests that drive the real twilio-taskrouter Worker SDK in Node.

/** Disconnects an SDK Worker for good. Its disconnect() leaves the token-expiry timer and the heartbeat
 *  interval running (an app never notices; a test process would wait an hour): they are stopped too. */
export function disconnectSdkWorker(worker: any): void {
  try {
    worker.disconnect();
  } catch {
    // its server is gone already (a stopped cluster node)
  }
  clearTimeout(worker._signaling?.tokenTimer);
  const heartbeat = worker._signaling?._heartbeat;
  if (heartbeat?.pintvl) heartbeat.stop.call(null, heartbeat.pintvl);
}
