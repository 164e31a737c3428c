package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names an HTTP request's observation and its key values. Define a bean of this type to rename the
 * observation or add keys, often by extending {@link DefaultHttpServerRequestObservationConvention}.
 */
public interface HttpServerRequestObservationConvention
		extends ObservationConvention<HttpServerRequestObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof HttpServerRequestObservationContext;
	}

}
