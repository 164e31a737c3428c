package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import io.github.tcpserver.blocking.OffloadedCallObserver;
import io.github.tcpserver.core.Connection;

/**
 * Observes each call of an offloaded (blocking) handler with Micrometer, in scope on the executor
 * thread around the call, so that slow blocking handlers show up in metrics and traces.
 */
public class ObservationOffloadedCallObserver implements OffloadedCallObserver {

	private static final DefaultOffloadedCallObservationConvention DEFAULT_CONVENTION = new DefaultOffloadedCallObservationConvention();

	private final ObservationRegistry registry;

	private final OffloadedCallObservationConvention convention;

	/**
	 * @param registry where observations go
	 * @param convention the application's convention, or {@code null} for the default
	 */
	public ObservationOffloadedCallObserver(ObservationRegistry registry, OffloadedCallObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Completion callStarted(Connection connection, String callback) {
		if (this.registry.isNoop()) {
			return Completion.NONE;
		}
		OffloadedCallObservationContext context = new OffloadedCallObservationContext(connection.listenerName(),
				callback, connection.id());
		Observation observation = Observation
			.createNotStarted(this.convention, DEFAULT_CONVENTION, () -> context, this.registry)
			.start();
		if (observation.isNoop()) {
			return Completion.NONE;
		}
		Observation.Scope scope = observation.openScope();
		return (error) -> {
			if (error != null) {
				observation.error(error);
			}
			scope.close();
			observation.stop();
		};
	}

}
