package io.github.tcpserver.observation;

import java.util.List;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;

/**
 * The default names of an HTTP request's observation: {@value #NAME}, with the low-cardinality keys
 * Spring's {@code http.server.requests} has ({@code method}, {@code uri}, {@code status},
 * {@code outcome}, {@code exception}) and {@code listener}. A name of its own, because Prometheus
 * wants one set of label names per metric name, and an application that also runs Tomcat has
 * {@code http.server.requests} without {@code listener}.
 */
public class DefaultHttpServerRequestObservationConvention implements HttpServerRequestObservationConvention {

	/** The observation's name, and so the timer's. */
	public static final String NAME = "tcp.server.http.requests";

	/**
	 * Methods tagged as they are; any other is {@code UNKNOWN}, since a client may send any token
	 * as a method (RFC 9110 §9.1) and each would be a series of its own.
	 */
	private static final List<String> KNOWN_METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
			"OPTIONS", "TRACE", "PATCH");

	private static final String UNKNOWN = "UNKNOWN";

	private static final KeyValue EXCEPTION_NONE = KeyValue.of("exception", "none");

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(HttpServerRequestObservationContext context) {
		return "http " + context.getCarrier().method().toLowerCase(java.util.Locale.ROOT);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(HttpServerRequestObservationContext context) {
		HttpRequest request = context.getCarrier();
		HttpResponse response = context.getResponse();
		return KeyValues.of(method(request), uri(request, response), status(response), outcome(response),
				exception(context), KeyValue.of("listener", context.getListenerName()));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(HttpServerRequestObservationContext context) {
		return KeyValues.of(KeyValue.of("http.url", context.getCarrier().target()));
	}

	protected KeyValue method(HttpRequest request) {
		return KeyValue.of("method", methodName(request.method()));
	}

	/**
	 * The route, never the raw path: a client can send any number of distinct paths, and each
	 * would be a series of its own. Without a route, what Spring MVC's metrics say in its place.
	 */
	protected KeyValue uri(HttpRequest request, HttpResponse response) {
		return KeyValue.of("uri", uriName(request.route(), (response != null) ? response.statusCode() : 0));
	}

	protected KeyValue status(HttpResponse response) {
		return KeyValue.of("status", (response != null) ? Integer.toString(response.statusCode()) : UNKNOWN);
	}

	protected KeyValue outcome(HttpResponse response) {
		return KeyValue.of("outcome", outcomeName((response != null) ? response.statusCode() : 0));
	}

	protected KeyValue exception(HttpServerRequestObservationContext context) {
		Throwable error = context.getError();
		return (error != null) ? KeyValue.of("exception", exceptionName(error)) : EXCEPTION_NONE;
	}

	// The values below are shared with MeterHttpExchangeObserver, which must tag exactly as this
	// convention does under Boot's meter handler.

	/** @return the index of a method among those tagged as they are, or their count for any other */
	static int methodIndex(String method) {
		int index = KNOWN_METHODS.indexOf(method);
		return (index >= 0) ? index : KNOWN_METHODS.size();
	}

	static String methodName(String method) {
		return KNOWN_METHODS.contains(method) ? method : UNKNOWN;
	}

	/** @param status the response's status, 0 for none */
	static String uriName(String route, int status) {
		if (route != null) {
			return route;
		}
		if (status == 404) {
			return "NOT_FOUND";
		}
		if (status / 100 == 3) {
			return "REDIRECTION";
		}
		return UNKNOWN;
	}

	/** @param status the response's status, 0 for none */
	static String outcomeName(int status) {
		return switch (status / 100) {
			case 1 -> "INFORMATIONAL";
			case 2 -> "SUCCESS";
			case 3 -> "REDIRECTION";
			case 4 -> "CLIENT_ERROR";
			case 5 -> "SERVER_ERROR";
			default -> UNKNOWN;
		};
	}

	/** @return the simple name of the error's class (its name when anonymous), {@code none} without one */
	static String exceptionName(Throwable error) {
		if (error == null) {
			return "none";
		}
		String name = error.getClass().getSimpleName();
		return name.isEmpty() ? error.getClass().getName() : name;
	}

}
