package io.github.tcpserver.autoconfigure;

import java.util.Map;

import io.micrometer.observation.ObservationHandler;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

import io.github.tcpserver.observation.DefaultHttpServerRequestObservationConvention;
import io.github.tcpserver.observation.HttpServerRequestObservationConvention;
import io.github.tcpserver.observation.MeterHttpExchangeObserver;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;

/**
 * How the HTTP listeners' requests are recorded: a full observation when something besides the
 * meters wants one (a tracer, the application's own observation handlers or convention, key values
 * Boot adds to every observation), else the same timer recorded directly, about forty times cheaper
 * (BENCHMARKS.md); {@code tcp.server.http.observations-enabled} overrides the choice.
 */
enum HttpRequestsRecording {

	/** An observation per request: {@code ObservationHttpExchangeObserver}. */
	OBSERVATION,

	/** The timer alone: {@code MeterHttpExchangeObserver}. */
	TIMER,

	/** Nothing. */
	NONE;

	private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

	private static final String METER_HANDLER = "io.micrometer.core.instrument.observation.MeterObservationHandler";

	private static final String TRACER = "io.micrometer.tracing.Tracer";

	static HttpRequestsRecording of(TcpServerHttpProperties http, ConfigurableListableBeanFactory beanFactory,
			Environment environment) {
		ClassLoader classLoader = beanFactory.getBeanClassLoader();
		if (!enabledByBoot(environment)) {
			return NONE;
		}
		Boolean observations = http.getObservationsEnabled();
		if (Boolean.TRUE.equals(observations) || (observations == null && observationNeeded(beanFactory, environment))) {
			return OBSERVATION;
		}
		boolean meters = ClassUtils.isPresent(METER_REGISTRY, classLoader)
				&& beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(METER_REGISTRY, classLoader)).length > 0;
		return (http.isMetricsEnabled() && meters) ? TIMER : NONE;
	}

	/** @return the direct timer's observer; only when {@link #TIMER} was chosen */
	static HttpExchangeObserver timerObserver(ConfigurableListableBeanFactory beanFactory) {
		return Timers.observer(beanFactory);
	}

	/**
	 * Whether anything would get more from an observation than the meter handler's timer. Boot
	 * registers the meter handler as a bean, and with Micrometer Tracing the tracing handlers
	 * (beans too) and a {@code Tracer}; {@code management.observations.key-values.*} become tags
	 * through an observation filter that a direct timer would miss.
	 */
	private static boolean observationNeeded(ConfigurableListableBeanFactory beanFactory, Environment environment) {
		ClassLoader classLoader = beanFactory.getBeanClassLoader();
		if (beanFactory.getBeanNamesForType(HttpServerRequestObservationConvention.class).length > 0) {
			return true;
		}
		if (ClassUtils.isPresent(TRACER, classLoader)
				&& beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(TRACER, classLoader)).length > 0) {
			return true;
		}
		Class<?> meterHandler = ClassUtils.isPresent(METER_HANDLER, classLoader)
				? ClassUtils.resolveClassName(METER_HANDLER, classLoader) : null;
		for (String name : beanFactory.getBeanNamesForType(ObservationHandler.class)) {
			Class<?> type = beanFactory.getType(name);
			if (type == null || meterHandler == null || !meterHandler.isAssignableFrom(type)) {
				return true;
			}
		}
		return !Binder.get(environment)
			.bind("management.observations.key-values", Bindable.mapOf(String.class, String.class))
			.orElse(Map.of())
			.isEmpty();
	}

	/**
	 * Whether Boot's {@code management.observations.enable.*} leaves the request observation on,
	 * looked up as Boot does (the longest matching prefix of the name, then {@code all}), so that
	 * turning it off also turns off the direct timer that stands in for it.
	 */
	private static boolean enabledByBoot(Environment environment) {
		Map<String, Boolean> enable = Binder.get(environment)
			.bind("management.observations.enable", Bindable.mapOf(String.class, Boolean.class))
			.orElse(Map.of());
		String name = DefaultHttpServerRequestObservationConvention.NAME;
		while (!name.isEmpty()) {
			Boolean enabled = enable.get(name);
			if (enabled != null) {
				return enabled;
			}
			int dot = name.lastIndexOf('.');
			name = (dot >= 0) ? name.substring(0, dot) : "";
		}
		return enable.getOrDefault("all", true);
	}

	/** Kept apart so that Micrometer's core is loaded only when the application has it. */
	private static final class Timers {

		static HttpExchangeObserver observer(ConfigurableListableBeanFactory beanFactory) {
			return new MeterHttpExchangeObserver(beanFactory.getBean(io.micrometer.core.instrument.MeterRegistry.class));
		}

	}

}
