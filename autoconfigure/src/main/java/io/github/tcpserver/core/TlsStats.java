package io.github.tcpserver.core;

import java.util.concurrent.atomic.LongAdder;

/**
 * TLS handshake counters of one listener. Updated once per handshake, never per record.
 */
public final class TlsStats {

	final LongAdder completed = new LongAdder();

	final LongAdder failed = new LongAdder();

	final LongAdder timedOut = new LongAdder();

	final LongAdder completedNanos = new LongAdder();

	/** @return handshakes completed */
	public long handshakesCompleted() {
		return this.completed.sum();
	}

	/** @return handshakes that failed for any reason, timeouts and non-TLS clients included */
	public long handshakesFailed() {
		return this.failed.sum();
	}

	/** @return handshakes abandoned at the handshake timeout (counted in the failures too) */
	public long handshakesTimedOut() {
		return this.timedOut.sum();
	}

	/** @return the total time of the completed handshakes, from accept to the handshake's end */
	public long handshakeNanos() {
		return this.completedNanos.sum();
	}

}
