package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpRequest;

/**
 * Observes each HTTP request with Micrometer: an observation started before the application's
 * handler and stopped once the response is encoded, in scope around the handler's call so that
 * its logs carry the trace id; a tracer continues the caller's trace from the request's headers.
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
		Observation.Scope scope = observation.openScope();
		return (response, error) -> {
			context.setResponse(response);
			if (error != null) {
				observation.error(error);
			}
			scope.close();
			observation.stop();
		};
	}

}
