package io.github.tcpserver.context;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

/**
 * Marks a {@link io.github.tcpserver.core.ConnectionHandler} (or a blocking
 * {@link io.github.tcpserver.blocking.StreamHandler}) bean as a TCP listener: the
 * auto-configured {@link io.github.tcpserver.core.SelectorServer} binds one listener per such
 * bean, named after the bean. Put it on a handler class (it is a {@code @Component}) or on a
 * {@code @Bean} method that returns a handler.
 *
 * <pre class="code">
 * &#64;Bean
 * &#64;SocketHandler(port = "${chat.port:9001}")
 * ChatHandler chat(ChatRoom room) { ... }
 * </pre>
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Component
public @interface SocketHandler {

	/**
	 * The bean name, when the annotation is on a class.
	 * @return the bean name
	 */
	@AliasFor(annotation = Component.class)
	String value() default "";

	/**
	 * The port to listen on; property placeholders are resolved. Empty means
	 * {@code tcp.server.port}. {@code 0} picks a free port.
	 * @return the port, or empty
	 */
	String port() default "";

	/**
	 * The local address to bind; property placeholders are resolved. Empty means
	 * {@code tcp.server.address} (every interface when that is unset too).
	 * @return the address, or empty
	 */
	String address() default "";

	/**
	 * Whether the handler's callbacks run off the I/O threads, on an executor, so that they may
	 * block: one event of a connection at a time and in order, connections in parallel. The
	 * executor is {@link #executor()}, or Spring Boot's {@code applicationTaskExecutor} (virtual
	 * threads with {@code spring.threads.virtual.enabled=true} on Java 21+). Implied by
	 * {@link #executor()}; a {@code io.github.tcpserver.blocking.StreamHandler} always runs so.
	 * @return whether the handler may block
	 */
	boolean blocking() default false;

	/**
	 * The name of the {@link java.util.concurrent.Executor} bean (a {@code TaskExecutor}, say)
	 * that runs the handler off the I/O threads; property placeholders are resolved. Empty means
	 * the application task executor when the handler is {@link #blocking()}.
	 * @return the executor bean name, or empty
	 */
	String executor() default "";

	/**
	 * TLS of this listener: the name of an SSL bundle ({@code spring.ssl.bundle.*}), or
	 * {@value #NO_SSL} for plain TCP; property placeholders are resolved. Empty means
	 * {@code tcp.server.ssl.bundle} (plain TCP when that is unset too). Client authentication,
	 * SNI bundles and the handshake timeout come from {@code tcp.server.ssl.*}.
	 * @return the bundle name, {@value #NO_SSL}, or empty
	 */
	String sslBundle() default "";

	/**
	 * Client authentication of this TLS listener: {@code none}, {@code want} or {@code need};
	 * property placeholders are resolved. Empty means {@code tcp.server.ssl.client-auth}.
	 * @return the client authentication, or empty
	 */
	String sslClientAuth() default "";

	/**
	 * The PROXY protocol header this listener's connections start with: {@code off}, {@code v1},
	 * {@code v2} or {@code any}; property placeholders are resolved. Empty means
	 * {@code tcp.server.proxy-protocol.mode}.
	 * @return the mode, or empty
	 */
	String proxyProtocol() default "";

	/** The {@link #sslBundle()} of a listener that stays plain TCP when {@code tcp.server.ssl.bundle} is set. */
	String NO_SSL = "none";

}
