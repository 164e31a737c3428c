package io.github.tcpserver.context;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port the TCP server actually bound (useful with {@code tcp.server.port=0} in tests),
 * the way {@code @LocalServerPort} does for the web server. It is the port of the listener that
 * uses {@code tcp.server.port}, or of the first listener; the port of a listener by name is in
 * the property {@code local.tcp.server.port.<bean name>}.
 */
@Target({ ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Value("${" + SelectorServerLifecycle.LOCAL_PORT_PROPERTY + "}")
public @interface LocalTcpServerPort {

}
