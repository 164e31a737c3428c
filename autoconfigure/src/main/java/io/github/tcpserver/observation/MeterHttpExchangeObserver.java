package io.github.tcpserver.observation;

import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import io.github.tcpserver.core.Connection;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpRequest;
import io.github.tcpserver.protocol.http.HttpResponse;

/**
 * Records {@value DefaultHttpServerRequestObservationConvention#NAME} straight into a {@link Timer},
 * without an observation: the same name and tags as the observation path under Boot's meter handler
 * (the default convention's keys and {@code error}), so a dashboard cannot tell which recorded it, at
 * a fraction of the cost. The timers are looked up once per listener, route, method and status and
 * kept, so a request builds no tags and no strings; a request that failed with an exception is rare
 * and looked up in the registry each time.
 */
public class MeterHttpExchangeObserver implements HttpExchangeObserver {

	/** How many (listener, route) pairs keep their timers, by default. */
	public static final int DEFAULT_MAX_ROUTES = 1000;

	/**
	 * How many (method, status) timers one route keeps: a route answers with a handful of statuses;
	 * a handler answering with many more still gets them recorded, by a registry look-up each time.
	 */
	static final int MAX_TIMERS_PER_ROUTE = 16;

	private static final System.Logger log = System.getLogger(MeterHttpExchangeObserver.class.getName());

	/** The key of requests no route took: their uri tag depends on the status alone. */
	private static final String NO_ROUTE = "";

	private final MeterRegistry registry;

	private final int maxRoutes;

	private final ConcurrentHashMap<String, ConcurrentHashMap<String, RouteTimers>> listeners = new ConcurrentHashMap<>();

	private final AtomicInteger routes = new AtomicInteger();

	/** @param registry where the timers are */
	public MeterHttpExchangeObserver(MeterRegistry registry) {
		this(registry, DEFAULT_MAX_ROUTES);
	}

	/**
	 * @param registry where the timers are
	 * @param maxRoutes how many (listener, route) pairs keep their timers; more are looked up in the
	 * registry at each request
	 */
	public MeterHttpExchangeObserver(MeterRegistry registry, int maxRoutes) {
		this.registry = registry;
		this.maxRoutes = maxRoutes;
	}

	@Override
	public Completion requestStarted(Connection connection, HttpRequest request) {
		return new Timing(this, connection, request, System.nanoTime());
	}

	void record(Connection connection, HttpRequest request, HttpResponse response, Throwable error, long nanos) {
		// No response: the connection closed before an asynchronous answer (status UNKNOWN).
		int status = (response != null) ? response.statusCode() : 0;
		timer(connection.listenerName(), request, status, error).record(nanos, TimeUnit.NANOSECONDS);
	}

	/** @return the timer of a request, cached unless it failed with an exception */
	Timer timer(String listener, HttpRequest request, int status, Throwable error) {
		if (error != null || status < 100 || status > 999) {
			return lookUp(listener, request.route(), request.method(), status, error);
		}
		String route = (request.route() != null) ? request.route() : NO_ROUTE;
		RouteTimers timers = routeTimers(listener, route);
		if (timers == null) {
			return lookUp(listener, request.route(), request.method(), status, null);
		}
		int method = DefaultHttpServerRequestObservationConvention.methodIndex(request.method());
		int key = (method << 16) | status;
		Timer timer = timers.find(key);
		if (timer == null) {
			timer = timers.add(key, () -> lookUp(listener, request.route(), request.method(), status, null));
		}
		return timer;
	}

	/** @return the route's timers, or {@code null} once {@link #maxRoutes} are cached */
	private RouteTimers routeTimers(String listener, String route) {
		ConcurrentHashMap<String, RouteTimers> byRoute = this.listeners.get(listener);
		if (byRoute == null) {
			byRoute = this.listeners.computeIfAbsent(listener, (name) -> new ConcurrentHashMap<>());
		}
		RouteTimers timers = byRoute.get(route);
		if (timers != null) {
			return timers;
		}
		if (this.routes.get() >= this.maxRoutes) {
			return null;
		}
		return byRoute.computeIfAbsent(route, (key) -> {
			if (this.routes.incrementAndGet() == this.maxRoutes) {
				log.log(Level.INFO, () -> "HTTP request timers cached for " + this.maxRoutes
						+ " routes; requests of further routes look their timer up in the meter registry");
			}
			return new RouteTimers();
		});
	}

	/** The timer under the default convention's tags and Boot's meter handler's {@code error} tag. */
	private Timer lookUp(String listener, String route, String method, int status, Throwable error) {
		String exception = DefaultHttpServerRequestObservationConvention.exceptionName(error);
		return Timer.builder(DefaultHttpServerRequestObservationConvention.NAME)
			.tags(Tags.of("method", DefaultHttpServerRequestObservationConvention.methodName(method), "uri",
					DefaultHttpServerRequestObservationConvention.uriName(route, status), "status",
					Integer.toString(status), "outcome", DefaultHttpServerRequestObservationConvention.outcomeName(status),
					"exception", exception, "listener", listener, "error",
					(error != null) ? error.getClass().getSimpleName() : "none"))
			.register(this.registry);
	}

	/** @return how many (listener, route) pairs have cached timers */
	int cachedRoutes() {
		return this.routes.get();
	}

	/**
	 * The timers of one (listener, route): a short array read without a lock, replaced by a longer
	 * copy when a (method, status) is first seen.
	 */
	private static final class RouteTimers {

		private volatile int[] keys = new int[0];

		private volatile Timer[] timers = new Timer[0];

		Timer find(int key) {
			Timer[] timers = this.timers; // read first: written last
			int[] keys = this.keys;
			for (int i = 0; i < timers.length; i++) {
				if (keys[i] == key) {
					return timers[i];
				}
			}
			return null;
		}

		synchronized Timer add(int key, java.util.function.Supplier<Timer> lookUp) {
			Timer found = find(key);
			if (found != null) {
				return found;
			}
			Timer timer = lookUp.get();
			int length = this.timers.length;
			if (length < MAX_TIMERS_PER_ROUTE) {
				int[] keys = Arrays.copyOf(this.keys, length + 1);
				keys[length] = key;
				Timer[] timers = Arrays.copyOf(this.timers, length + 1);
				timers[length] = timer;
				this.keys = keys;
				this.timers = timers;
			}
			return timer;
		}

	}

	/** One request's start, told its end. */
	private static final class Timing implements Completion {

		private final MeterHttpExchangeObserver observer;

		private final Connection connection;

		private final HttpRequest request;

		private final long start;

		Timing(MeterHttpExchangeObserver observer, Connection connection, HttpRequest request, long start) {
			this.observer = observer;
			this.connection = connection;
			this.request = request;
			this.start = start;
		}

		@Override
		public void requestCompleted(HttpResponse response, Throwable error) {
			this.observer.record(this.connection, this.request, response, error, System.nanoTime() - this.start);
		}

	}

}
