package io.github.tcpserver.protocol.http;

import io.github.tcpserver.core.Connection;

/**
 * Watches each request an {@link HttpServerHandler} answers, around the call of the application's
 * {@link HttpHandler}: the hook that per-request metrics and tracing plug into (the Spring side
 * adapts it to Micrometer's Observation API). Both calls run on the connection's I/O thread and
 * must not block. The application's handler may run on another thread (a blocking listener's
 * executor) and answer later (an asynchronous handler), so a thread-local scope (a trace in the
 * logs) is opened only around the handler's call, by {@link Completion#openScope()}, never from
 * start to completion: another request of the same I/O thread would inherit it meanwhile.
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
		 * The response was encoded for sending, or will never be.
		 * @param response what the client gets (a 500 when the handler failed), or {@code null}
		 * when the connection closed before an asynchronous or offloaded handler answered
		 * @param error what the handler threw, or {@code null}
		 */
		void requestCompleted(HttpResponse response, Throwable error);

		/**
		 * Makes the request current on the calling thread for the synchronous call of the
		 * application's handler (on the I/O thread, or on the executor of a blocking listener);
		 * closed as soon as that call returns.
		 * @return what ends it
		 */
		default Scope openScope() {
			return Scope.NONE;
		}

	}

	/** The request made current on one thread, for the length of one handler call. */
	@FunctionalInterface
	interface Scope extends AutoCloseable {

		/** Nothing to end. */
		Scope NONE = () -> {
		};

		@Override
		void close();

	}

}
