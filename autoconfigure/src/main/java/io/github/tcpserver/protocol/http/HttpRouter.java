package io.github.tcpserver.protocol.http;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Routes requests by exact path and method to handlers: an unknown path is answered 404, a known
 * path with another method 405 with {@code Allow} (RFC 9110 §15.5.6). {@code HEAD} falls back to
 * the {@code GET} handler (RFC 9110 §9.3.2; the server drops the body). Configure it before the
 * server starts; lookups are then read-only and thread-safe.
 *
 * <pre class="code">
 * HttpRouter router = new HttpRouter()
 *     .get("/", (request) -&gt; HttpResponse.text("Hello, world!"))
 *     .post("/echo", (request) -&gt; HttpResponse.ok().body(request.body()));
 * </pre>
 */
public final class HttpRouter implements HttpHandler {

	private final Map<String, Map<String, HttpHandler>> routes = new HashMap<>();

	/**
	 * @param method the method, such as {@code GET}
	 * @param path the exact path, such as {@code /users}
	 * @param handler what answers it
	 * @return this
	 */
	public HttpRouter route(String method, String path, HttpHandler handler) {
		if (!path.startsWith("/")) {
			throw new IllegalArgumentException("A route path starts with '/' but was '" + path + "'");
		}
		Map<String, HttpHandler> methods = this.routes.computeIfAbsent(path, (p) -> new LinkedHashMap<>());
		if (methods.putIfAbsent(method, handler) != null) {
			throw new IllegalArgumentException("A handler for " + method + " " + path + " is already registered");
		}
		return this;
	}

	/** @see #route(String, String, HttpHandler) */
	public HttpRouter get(String path, HttpHandler handler) {
		return route("GET", path, handler);
	}

	/** @see #route(String, String, HttpHandler) */
	public HttpRouter post(String path, HttpHandler handler) {
		return route("POST", path, handler);
	}

	/** @see #route(String, String, HttpHandler) */
	public HttpRouter put(String path, HttpHandler handler) {
		return route("PUT", path, handler);
	}

	/** @see #route(String, String, HttpHandler) */
	public HttpRouter delete(String path, HttpHandler handler) {
		return route("DELETE", path, handler);
	}

	@Override
	public HttpResponse handle(HttpRequest request) throws Exception {
		Map<String, HttpHandler> methods = this.routes.get(request.path());
		if (methods == null) {
			return HttpResponse.text(404, "Not Found");
		}
		request.route(request.path()); // a known path: the route, for metrics, even for a 405
		HttpHandler handler = methods.get(request.method());
		if (handler == null && request.method().equals("HEAD")) {
			handler = methods.get("GET");
		}
		if (handler == null) {
			return HttpResponse.text(405, "Method Not Allowed").header("Allow", allow(methods));
		}
		return handler.handle(request);
	}

	private static String allow(Map<String, HttpHandler> methods) {
		StringBuilder allow = new StringBuilder();
		for (String method : methods.keySet()) {
			allow.append((allow.length() > 0) ? ", " : "").append(method);
			if (method.equals("GET") && !methods.containsKey("HEAD")) {
				allow.append(", HEAD");
			}
		}
		return allow.toString();
	}

}
