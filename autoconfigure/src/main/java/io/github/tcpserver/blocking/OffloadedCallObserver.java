package io.github.tcpserver.blocking;

import io.github.tcpserver.core.Connection;

/**
 * Watches each call of an offloaded handler on its executor thread, so that a slow blocking
 * handler shows up in metrics and traces (the Spring side adapts it to Micrometer's Observation
 * API). Both calls run on the executor thread, the handler's call between them.
 */
public interface OffloadedCallObserver {

	/** Observes nothing: the default. */
	OffloadedCallObserver NONE = (connection, callback) -> Completion.NONE;

	/**
	 * A callback of the delegate is about to run.
	 * @param connection the connection ({@link Connection#listenerName()} names the listener)
	 * @param callback the callback's name: {@code onOpen}, {@code onRead}, ...
	 * @return what is told the outcome, exactly once
	 */
	Completion callStarted(Connection connection, String callback);

	/** The end of one observed call. */
	@FunctionalInterface
	interface Completion {

		/** Does nothing. */
		Completion NONE = (error) -> {
		};

		/**
		 * The call returned or threw.
		 * @param error what it threw, or {@code null}
		 */
		void callEnded(Throwable error);

	}

}
