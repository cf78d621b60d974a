/**
 * JMH benchmarks of videomerge: one class per concern (the merge path, probing, each store's round
 * trip). Build with {@code mvn -pl benchmarks -am package} and run {@code java -jar benchmarks/target/benchmarks.jar}.
 */
package io.videomerge.benchmarks;
