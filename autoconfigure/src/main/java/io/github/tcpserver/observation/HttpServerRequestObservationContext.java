package io.github.tcpserver.observation;

import io.micrometer.observation.transport.RequestReplyReceiverContext;

import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;

/**
 * What an observation of one HTTP request carries: the request (also the carrier a tracer reads
 * {@code traceparent} or {@code b3} from, so the request continues the caller's trace), the
 * listener that took it, and once answered the response.
 */
public class HttpServerRequestObservationContext extends RequestReplyReceiverContext<HttpRequest, HttpResponse> {

	private final String listenerName;

	/**
	 * @param request the request
	 * @param listenerName the listener (handler bean) that took it
	 */
	public HttpServerRequestObservationContext(HttpRequest request, String listenerName) {
		super(HttpRequest::header);
		setCarrier(request);
		this.listenerName = listenerName;
	}

	/** @return the listener (handler bean) that took the request */
	public String getListenerName() {
		return this.listenerName;
	}

}
