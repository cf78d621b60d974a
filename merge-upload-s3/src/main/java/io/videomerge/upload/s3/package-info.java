/**
 * Publishing merged files to Amazon S3 or an S3-compatible store: {@link io.videomerge.upload.s3.S3Uploader}, an
 * {@link io.videomerge.spi.Uploader} built on the AWS SDK for Java 2.x, whose merged URLs are either under a public
 * base URL or presigned and expiring.
 */
package io.videomerge.upload.s3;
