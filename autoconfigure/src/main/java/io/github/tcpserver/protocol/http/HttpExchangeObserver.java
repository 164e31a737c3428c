package io.github.tcpserver.protocol.http;

import io.github.tcpserver.core.Connection;

/**
 * Watches each request an {@link HttpServerHandler} answers, around the call of the application's
 * {@link HttpHandler}: the hook that per-request metrics and tracing plug into (the Spring side
 * adapts it to Micrometer's Observation API). Both calls run on the connection's I/O thread, the
 * handler's call between them, so a thread-local scope opened by the first is seen by the handler
 * and closed by the second. They must not block.
 */
public interface HttpExchangeObserver {

	/** Observes nothing and allocates nothing: the default. */
	HttpExchangeObserver NONE = (connection, request) -> Completion.NONE;

	/**
	 * A complete request is about to be handed to the application.
	 * @param connection the connection it came on ({@link Connection#listenerName()} names the listener)
	 * @param request the request
	 * @return what is told the outcome, exactly once
	 */
	Completion requestStarted(Connection connection, HttpRequest request);

	/** The end of one observed request. */
	@FunctionalInterface
	interface Completion {

		/** Does nothing. */
		Completion NONE = (response, error) -> {
		};

		/**
		 * The response was encoded for sending.
		 * @param response what the client gets (a 500 when the handler failed)
		 * @param error what the handler threw, or {@code null}
		 */
		void requestCompleted(HttpResponse response, Throwable error);

	}

}
