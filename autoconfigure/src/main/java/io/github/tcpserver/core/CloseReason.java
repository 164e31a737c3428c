package io.github.tcpserver.core;

/**
 * Why a connection closed, as the server saw it; told to a {@link ConnectionObserver} with the
 * close, for a connection-duration meter tagged by how connections end.
 */
public enum CloseReason {

	/** The peer or the handler closed it: end of input, {@code close()}, {@code closeAfterFlush()}. */
	NORMAL,

	/** A read or write failed with an I/O error: a reset or a broken pipe, the peer's doing. */
	RESET,

	/** Nothing read for the read-idle timeout, or output stalled for the write-idle timeout. */
	TIMEOUT,

	/** Queued output passed {@code maxQueuedOutput}: the peer was not reading. */
	OVERFLOW,

	/** A handler callback threw. */
	ERROR,

	/** The server was stopping: a graceful drain, or the stop's deadline. */
	SHUTDOWN

}
