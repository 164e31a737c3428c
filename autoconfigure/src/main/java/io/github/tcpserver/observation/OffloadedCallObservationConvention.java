package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names an offloaded handler call's observation and its key values. Define a bean of this type to
 * rename it or add keys, often by extending {@link DefaultOffloadedCallObservationConvention}.
 */
public interface OffloadedCallObservationConvention extends ObservationConvention<OffloadedCallObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof OffloadedCallObservationContext;
	}

}
