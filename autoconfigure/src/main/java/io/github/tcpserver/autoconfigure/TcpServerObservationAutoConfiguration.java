package io.github.tcpserver.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.blocking.OffloadedCallObserver;
import io.github.tcpserver.observation.HttpServerRequestObservationConvention;
import io.github.tcpserver.observation.ObservationHttpExchangeObserver;
import io.github.tcpserver.observation.ObservationOffloadedCallObserver;
import io.github.tcpserver.observation.OffloadedCallObservationConvention;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;

/**
 * Auto-configuration of the server's Micrometer observations, when the application has an
 * {@link ObservationRegistry}: one per HTTP request ({@code tcp.server.http.requests}, when
 * {@code tcp.server.http.observations-enabled}) and one per offloaded handler call
 * ({@code tcp.server.handler.calls}). The server gives these observers to
 * its {@code HttpServerHandler} and offloaded {@code @SocketHandler} beans.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TcpServerHttpProperties.class)
public final class TcpServerObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HttpExchangeObserver tcpServerHttpExchangeObserver(ObservationRegistry observationRegistry,
			ObjectProvider<HttpServerRequestObservationConvention> convention, TcpServerHttpProperties http) {
		// Decided here from the runtime property, not by a condition: conditions are fixed at build
		// time in AOT mode, and this one is a deployment's choice. Off by default: an observation
		// per request costs about 4 us of I/O-thread CPU (Boot's meter handler, long-task timer and
		// scope), a third of a keep-alive request's budget (BENCHMARKS.md, run E).
		if (!http.isObservationsEnabled()) {
			return HttpExchangeObserver.NONE;
		}
		return new ObservationHttpExchangeObserver(observationRegistry, convention.getIfUnique());
	}

	@Bean
	@ConditionalOnMissingBean
	OffloadedCallObserver tcpServerOffloadedCallObserver(ObservationRegistry observationRegistry,
			ObjectProvider<OffloadedCallObservationConvention> convention) {
		return new ObservationOffloadedCallObserver(observationRegistry, convention.getIfUnique());
	}

}
