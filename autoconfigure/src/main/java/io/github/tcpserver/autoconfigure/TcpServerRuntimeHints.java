package io.github.tcpserver.autoconfigure;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

import io.github.tcpserver.context.SocketHandler;

/**
 * What the starter reaches by reflection, for a native image (registered in
 * {@code META-INF/spring/aot.factories}): the {@code @SocketHandler} annotation, read from the
 * bean definitions at start-up and synthesized (it aliases {@code @Component}'s value), the
 * {@code tcp.server.*} properties bound to their classes, and the Actuator endpoint's responses,
 * serialized to JSON. JVM AOT mode needs none of it; a native image needs all of it.
 */
final class TcpServerRuntimeHints implements RuntimeHintsRegistrar {

	/** The endpoint's response types; named, as the Actuator is optional. */
	private static final String[] ENDPOINT_RESPONSES = { "ServerDescriptor", "ListenerDescriptor", "Totals",
			"ConnectionPage", "ConnectionDescriptor" };

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.reflection().registerType(SocketHandler.class, MemberCategory.INVOKE_DECLARED_METHODS);
		hints.proxies().registerJdkProxy(SocketHandler.class);
		BindableRuntimeHintsRegistrar.forTypes(TcpServerProperties.class, TcpServerHttpProperties.class)
			.registerHints(hints, classLoader);
		String endpoint = "io.github.tcpserver.actuate.TcpServerEndpoint";
		if (ClassUtils.isPresent(endpoint, classLoader)) {
			BindingReflectionHintsRegistrar binding = new BindingReflectionHintsRegistrar();
			for (String response : ENDPOINT_RESPONSES) {
				binding.registerReflectionHints(hints.reflection(),
						ClassUtils.resolveClassName(endpoint + "$" + response, classLoader));
			}
		}
	}

}
