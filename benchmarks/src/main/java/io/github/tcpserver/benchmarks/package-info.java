/**
 * JMH microbenchmarks of the pure codecs and parsers (no sockets).
 */
package io.github.tcpserver.benchmarks;
