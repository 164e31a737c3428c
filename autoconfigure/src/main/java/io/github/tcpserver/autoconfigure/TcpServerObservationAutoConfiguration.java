package io.github.tcpserver.autoconfigure;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import io.github.tcpserver.blocking.OffloadedCallObserver;
import io.github.tcpserver.observation.HttpServerRequestObservationConvention;
import io.github.tcpserver.observation.ObservationHttpExchangeObserver;
import io.github.tcpserver.observation.ObservationOffloadedCallObserver;
import io.github.tcpserver.observation.OffloadedCallObservationConvention;
import io.github.tcpserver.protocol.http.HttpExchangeObserver;

/**
 * Auto-configuration of the server's Micrometer observations, when the application has an
 * {@link ObservationRegistry}: the {@code tcp.server.http.requests} timer of each HTTP request (an
 * observation when something besides the meters needs one, see {@link HttpRequestsRecording}, else a
 * direct timer) and one observation per offloaded handler call ({@code tcp.server.handler.calls}).
 * The server gives these observers to its {@code HttpServerHandler} and offloaded
 * {@code @SocketHandler} beans.
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
			ObjectProvider<HttpServerRequestObservationConvention> convention, TcpServerHttpProperties http,
			ConfigurableListableBeanFactory beanFactory, Environment environment) {
		// Decided here from the runtime properties and beans, not by conditions: conditions are
		// fixed at build time in AOT mode, and this is a deployment's choice.
		return switch (HttpRequestsRecording.of(http, beanFactory, environment)) {
			case OBSERVATION -> new ObservationHttpExchangeObserver(observationRegistry, convention.getIfUnique());
			case TIMER -> HttpRequestsRecording.timerObserver(beanFactory);
			case NONE -> HttpExchangeObserver.NONE;
		};
	}

	@Bean
	@ConditionalOnMissingBean
	OffloadedCallObserver tcpServerOffloadedCallObserver(ObservationRegistry observationRegistry,
			ObjectProvider<OffloadedCallObservationConvention> convention) {
		return new ObservationOffloadedCallObserver(observationRegistry, convention.getIfUnique());
	}

}
