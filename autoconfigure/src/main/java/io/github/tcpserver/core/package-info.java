/**
 * The reactor: {@link io.github.tcpserver.core.SelectorServer}, its I/O loops and connections, and
 * the {@link io.github.tcpserver.core.ConnectionHandler} SPI. Plain Java, no Spring.
 */
package io.github.tcpserver.core;
