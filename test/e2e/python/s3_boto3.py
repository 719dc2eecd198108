"""boto3 (Debian's python3-boto3) against cosbox: one run, one JSON line of results for the e2e test.

Endpoint, region and keys come from COSBOX_* variables; path-style addressing, Signature V4.
"""
import hashlib
import json
import os
import subprocess
import sys

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["COSBOX_ENDPOINT"]
bucket = sys.argv[1]
scratch = sys.argv[2]
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name=os.environ["COSBOX_REGION"],
    aws_access_key_id=os.environ["COSBOX_SECRET_ID"],
    aws_secret_access_key=os.environ["COSBOX_SECRET_KEY"],
    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1}),
)
out = {}


def curl(url, *args):
    done = subprocess.run(["/usr/bin/curl", "-s", "--noproxy", "*", "-o", "-", "-w", "\n%{http_code}", *args, url], capture_output=True, timeout=30)
    text = done.stdout.decode("utf-8")
    body, _, status = text.rpartition("\n")
    return {"status": int(status), "body": body}


s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": os.environ["COSBOX_REGION"]})
out["location"] = s3.get_bucket_location(Bucket=bucket)["LocationConstraint"]
out["listed"] = any(b["Name"] == bucket for b in s3.list_buckets()["Buckets"])

s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello from boto3", Metadata={"lang": "python"}, ContentType="text/plain")
got = s3.get_object(Bucket=bucket, Key="hello.txt")
out["get"] = {"body": got["Body"].read().decode(), "meta": got["Metadata"], "type": got["ContentType"]}

# Multipart above the configured threshold: 12 MB in 5 MB parts.
big = os.urandom(12 * 1024 * 1024 + 3)
path = os.path.join(scratch, "big.bin")
with open(path, "wb") as f:
    f.write(big)
s3.upload_file(path, bucket, "big.bin", Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
head = s3.head_object(Bucket=bucket, Key="big.bin")
back = os.path.join(scratch, "big.back")
s3.download_file(bucket, "big.bin", back)
with open(back, "rb") as f:
    out["multipart"] = {"etag": head["ETag"], "size": head["ContentLength"], "same": f.read() == big}

# Pre-signed URLs, fetched with curl.
get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "hello.txt"}, ExpiresIn=300)
put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned.txt"}, ExpiresIn=300)
out["presigned_get"] = curl(get_url)
out["presigned_put"] = curl(put_url, "-X", "PUT", "--data-binary", "put by curl")
out["presigned_put_read"] = s3.get_object(Bucket=bucket, Key="presigned.txt")["Body"].read().decode()
out["presigned_tampered"] = curl(get_url.replace("hello.txt", "big.bin"))["status"]

# Versioning and tagging.
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
v1 = s3.put_object(Bucket=bucket, Key="v.txt", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket=bucket, Key="v.txt", Body=b"two", Tagging="team=red&tier=1")["VersionId"]
marker = s3.delete_object(Bucket=bucket, Key="v.txt")
versions = s3.list_object_versions(Bucket=bucket, Prefix="v.txt")
out["versioning"] = {
    "status": s3.get_bucket_versioning(Bucket=bucket)["Status"],
    "distinct": v1 != v2,
    "old": s3.get_object(Bucket=bucket, Key="v.txt", VersionId=v1)["Body"].read().decode(),
    "marker": marker.get("DeleteMarker"),
    "versions": sorted(v["VersionId"] for v in versions.get("Versions", [])) == sorted([v1, v2]),
    "markers": len(versions.get("DeleteMarkers", [])),
}
s3.put_object_tagging(Bucket=bucket, Key="hello.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
out["tags"] = {
    "object": s3.get_object_tagging(Bucket=bucket, Key="hello.txt")["TagSet"],
    "version": sorted((t["Key"], t["Value"]) for t in s3.get_object_tagging(Bucket=bucket, Key="v.txt", VersionId=v2)["TagSet"]),
}
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})

# Documents with S3's words, sent with Content-MD5 by this boto3: GLACIER, the AllUsers group URI.
s3.put_bucket_lifecycle_configuration(
    Bucket=bucket,
    LifecycleConfiguration={"Rules": [{"ID": "cold", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]},
)
out["lifecycle"] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["Transitions"][0]["StorageClass"]
owner = s3.get_object_acl(Bucket=bucket, Key="hello.txt")["Owner"]
s3.put_object_acl(
    Bucket=bucket,
    Key="hello.txt",
    AccessControlPolicy={
        "Owner": owner,
        "Grants": [
            {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"},
        ],
    },
)
out["public_read"] = curl(endpoint + "/" + bucket + "/hello.txt")

# Copy, batch delete, errors.
s3.copy_object(Bucket=bucket, Key="copy.txt", CopySource={"Bucket": bucket, "Key": "hello.txt"})
out["copy"] = s3.get_object(Bucket=bucket, Key="copy.txt")["Body"].read().decode()
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "copy.txt"}, {"Key": "presigned.txt"}]})
out["deleted"] = sorted(d["Key"] for d in deleted.get("Deleted", []))
try:
    s3.get_object(Bucket=bucket, Key="missing")
    out["missing"] = "found"
except ClientError as e:
    out["missing"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    s3.create_bucket(Bucket="nosuffix")
    out["nosuffix"] = "created"
except ClientError as e:
    out["nosuffix"] = e.response["Error"]["Code"]
print(json.dumps(out))
