package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;

/**
 * Observes each HTTP request with Micrometer: an observation started before the application's
 * handler and stopped once the response is encoded (or the connection closed before an answer to
 * come), in scope only around the handler's call, on whichever thread runs it, so that its logs
 * carry the trace id; a tracer continues the caller's trace from the request's headers.
 */
public class ObservationHttpExchangeObserver implements HttpExchangeObserver {

	private static final DefaultHttpServerRequestObservationConvention DEFAULT_CONVENTION = new DefaultHttpServerRequestObservationConvention();

	private final ObservationRegistry registry;

	private final HttpServerRequestObservationConvention convention;

	/**
	 * @param registry where observations go
	 * @param convention the application's convention, or {@code null} for the default
	 */
	public ObservationHttpExchangeObserver(ObservationRegistry registry,
			HttpServerRequestObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Completion requestStarted(Connection connection, HttpRequest request) {
		if (this.registry.isNoop()) {
			return Completion.NONE;
		}
		HttpServerRequestObservationContext context = new HttpServerRequestObservationContext(request,
				connection.listenerName());
		Observation observation = Observation
			.createNotStarted(this.convention, DEFAULT_CONVENTION, () -> context, this.registry)
			.start();
		if (observation.isNoop()) {
			return Completion.NONE;
		}
		return new Completion() {

			@Override
			public Scope openScope() {
				return observation.openScope()::close;
			}

			@Override
			public void requestCompleted(HttpResponse response, Throwable error) {
				context.setResponse(response);
				if (error != null) {
					observation.error(error);
				}
				observation.stop();
			}

		};
	}

}
