package io.github.tcpserver.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default names of an offloaded handler call's observation: {@value #NAME}, keyed by
 * {@code listener}, {@code callback} and {@code exception}; the connection id is high-cardinality.
 */
public class DefaultOffloadedCallObservationConvention implements OffloadedCallObservationConvention {

	/** The observation's name, and so the timer's. */
	public static final String NAME = "tcp.server.handler.calls";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(OffloadedCallObservationContext context) {
		return context.getListenerName() + " " + context.getCallback();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(OffloadedCallObservationContext context) {
		Throwable error = context.getError();
		return KeyValues.of(KeyValue.of("listener", context.getListenerName()),
				KeyValue.of("callback", context.getCallback()),
				KeyValue.of("exception", (error != null) ? error.getClass().getSimpleName() : "none"));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(OffloadedCallObservationContext context) {
		return KeyValues.of(KeyValue.of("connection.id", Long.toString(context.getConnectionId())));
	}

}
