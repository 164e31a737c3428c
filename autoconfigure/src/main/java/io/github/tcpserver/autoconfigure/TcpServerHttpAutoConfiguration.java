package io.github.tcpserver.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.protocol.http.HttpLimits;

/**
 * Auto-configuration of the HTTP/1.1 protocol: the {@link HttpLimits} bean, bound from
 * {@code tcp.server.http.*}, that an application passes to its {@code HttpServerHandler}.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "tcp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TcpServerHttpProperties.class)
public final class TcpServerHttpAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HttpLimits httpLimits(TcpServerHttpProperties properties) {
		return properties.toLimits();
	}

}
