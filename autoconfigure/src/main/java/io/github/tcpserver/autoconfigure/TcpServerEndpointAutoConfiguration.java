package io.github.tcpserver.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;

import io.github.tcpserver.actuate.TcpServerEndpoint;
import io.github.tcpserver.core.SelectorServer;
import io.github.tcpserver.protocol.http.HttpLimits;

/**
 * Auto-configuration of the {@code tcpserver} Actuator endpoint, when the Actuator is on the class
 * path and the endpoint is enabled and exposed ({@code management.endpoints.web.exposure.include}).
 */
@AutoConfiguration(after = TcpServerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(SelectorServer.class)
public final class TcpServerEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	TcpServerEndpoint tcpServerEndpoint(SelectorServer selectorServer, ObjectProvider<HttpLimits> httpLimits) {
		HttpLimits limits = httpLimits.getIfUnique();
		return new TcpServerEndpoint(selectorServer, (limits != null) ? limits.requestMemory() : null);
	}

}
