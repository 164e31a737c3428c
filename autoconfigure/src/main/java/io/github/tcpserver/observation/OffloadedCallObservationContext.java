package io.github.tcpserver.observation;

import io.micrometer.observation.Observation;

/**
 * What an observation of one offloaded handler call carries: the listener, the callback
 * ({@code onOpen}, {@code onRead}, ...) and the connection's id.
 */
public class OffloadedCallObservationContext extends Observation.Context {

	private final String listenerName;

	private final String callback;

	private final long connectionId;

	/**
	 * @param listenerName the listener (handler bean) whose handler is called
	 * @param callback the callback's name
	 * @param connectionId the connection's id
	 */
	public OffloadedCallObservationContext(String listenerName, String callback, long connectionId) {
		this.listenerName = listenerName;
		this.callback = callback;
		this.connectionId = connectionId;
	}

	/** @return the listener (handler bean) whose handler is called */
	public String getListenerName() {
		return this.listenerName;
	}

	/** @return the callback's name: {@code onOpen}, {@code onRead}, ... */
	public String getCallback() {
		return this.callback;
	}

	/** @return the connection's id */
	public long getConnectionId() {
		return this.connectionId;
	}

}
