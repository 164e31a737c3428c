package io.github.tcpserver.core;

import java.time.Duration;

/**
 * What a stop of the server did.
 *
 * @param drained connections that were open when stopping began and closed on their own
 * terms: queued output written, then closed
 * @param forced connections still open at the deadline (or in an immediate stop), closed
 * with output possibly unwritten
 * @param took how long the stop took
 */
public record ShutdownResult(int drained, int forced, Duration took) {

	/** @return {@code true} when no connection had to be closed forcibly */
	public boolean isClean() {
		return this.forced == 0;
	}

}
