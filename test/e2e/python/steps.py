"""
Drives cosbox with cos_client (cos-python-sdk-v5's requests, request for request), one step per
call family, and prints one JSON line per step: {"step", "ok", "error"}. Each step asserts what the
Python SDK would hand back to an application. Steps share a bucket made by the first one but
otherwise use their own keys, so one failure does not hide the next.

    python3 steps.py --list      the step names, one JSON array
    python3 steps.py [names...]  runs the steps (all by default)

Environment: COSBOX_PORT, COSBOX_SECRET_ID, COSBOX_SECRET_KEY, COSBOX_APPID, COSBOX_UIN,
COSBOX_REGION, COSBOX_TMP (a scratch directory), COSBOX_PY_TIMEOUT (seconds per request).
"""
import hashlib
import json
import os
import re
import sys
import time
import traceback

import requests

from cos_client import CosConfig, CosS3Client, CosServiceError

ENV = os.environ
PORT = ENV.get('COSBOX_PORT', '0')
SECRET_ID = ENV.get('COSBOX_SECRET_ID', '')
SECRET_KEY = ENV.get('COSBOX_SECRET_KEY', '')
APPID = ENV.get('COSBOX_APPID', '')
UIN = ENV.get('COSBOX_UIN', '')
REGION = ENV.get('COSBOX_REGION', 'ap-guangzhou')
TMP = ENV.get('COSBOX_TMP', '/tmp')
TIMEOUT = float(ENV.get('COSBOX_PY_TIMEOUT', '30'))
# cosbox is reached as an HTTP proxy: requests go out in absolute form, Host names the bucket.
PROXIES = {'http': 'http://127.0.0.1:%s' % PORT}

RUN = '%x' % int(time.time() * 1000)
BUCKET = 'py-%s-%s' % (RUN, APPID)
VERSIONED = 'pyver-%s-%s' % (RUN, APPID)


def config(**kwargs):
    options = dict(Region=REGION, SecretId=SECRET_ID, SecretKey=SECRET_KEY, Scheme='http', Proxies=PROXIES, Timeout=TIMEOUT)
    options.update(kwargs)
    return CosConfig(**options)


client = CosS3Client(config())
anonymous = CosS3Client(config(Anonymous=True))


def md5_etag(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def read_body(response):
    return response['Body'].get_raw_stream().read()


def service_error(call):
    """Runs `call`, which must fail as the SDK fails on a 4xx: with a CosServiceError."""
    try:
        call()
    except CosServiceError as e:
        return e
    raise AssertionError('expected a CosServiceError')


def eq(actual, expected, what):
    assert actual == expected, '%s: expected %r, got %r' % (what, expected, actual)


def has_keys(response, keys, what):
    """The dict the SDK returns is `dict(**headers)`: a key with another case is not found."""
    missing = [k for k in keys if k not in response]
    assert not missing, '%s: no %s among the keys %s' % (what, missing, sorted(k for k in response if k != 'Body'))


def put(key, data, **kwargs):
    return client.put_object(Bucket=BUCKET, Body=data, Key=key, **kwargs)


def get_bytes(key, **kwargs):
    return read_body(client.get_object(Bucket=BUCKET, Key=key, **kwargs))


def scratch_file(name, data):
    path = os.path.join(TMP, name)
    with open(path, 'wb') as fp:
        fp.write(data)
    return path


# ---------------------------------------------------------------- steps

def step_create_bucket():
    eq(client.create_bucket(Bucket=BUCKET), None, 'create_bucket returns')
    e = service_error(lambda: client.create_bucket(Bucket=BUCKET))
    eq(e.get_status_code(), 409, 'status of a second create_bucket')
    assert e.get_error_code() in ('BucketAlreadyExists', 'BucketAlreadyOwnedByYou'), e.get_error_code()


def step_list_buckets():
    data = client.list_buckets()
    has_keys(data, ['Owner', 'Buckets'], 'list_buckets')
    mine = [b for b in data['Buckets']['Bucket'] if b['Name'] == BUCKET]
    eq(len(mine), 1, 'the bucket among Buckets.Bucket')
    eq(mine[0]['Location'], REGION, 'Location')
    # COS writes 2019-05-24T11:20:10Z: no fraction of a second.
    assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', mine[0]['CreationDate']), 'CreationDate %r' % mine[0]['CreationDate']


def step_head_bucket():
    response = client.head_bucket(Bucket=BUCKET)
    has_keys(response, ['x-cos-request-id'], 'head_bucket')
    e = service_error(lambda: client.head_bucket(Bucket='py-missing-%s-%s' % (RUN, APPID)))
    eq(e.get_status_code(), 404, 'head_bucket of a missing bucket')
    eq(e.get_error_code(), 'NoSuchResource', 'the SDK code for a HEAD 404')


def step_put_object_bytes():
    data = b'hello from python'
    response = put('bytes.txt', data)
    has_keys(response, ['ETag', 'x-cos-request-id', 'x-cos-hash-crc64ecma'], 'put_object')
    eq(response['ETag'], md5_etag(data), 'ETag')
    eq(get_bytes('bytes.txt'), data, 'body read back')
    response = put('md5.txt', data, EnableMD5=True)
    eq(response['ETag'], md5_etag(data), 'ETag with EnableMD5')


def step_put_object_empty_bytes():
    put('empty-bytes', b'')
    head = client.head_object(Bucket=BUCKET, Key='empty-bytes')
    eq(head['Content-Length'], '0', 'Content-Length')
    eq(head['ETag'], md5_etag(b''), 'ETag')


def step_put_object_file():
    data = os.urandom(100 * 1024)
    with open(scratch_file('file.bin', data), 'rb') as fp:
        response = put('file.bin', fp)
    eq(response['ETag'], md5_etag(data), 'ETag')
    eq(get_bytes('file.bin'), data, 'body read back')


def step_put_object_empty_file():
    # requests sends an empty file with Transfer-Encoding: chunked and no Content-Length.
    with open(scratch_file('empty.bin', b''), 'rb') as fp:
        response = put('empty-file', fp)
    eq(response['ETag'], md5_etag(b''), 'ETag')
    eq(client.head_object(Bucket=BUCKET, Key='empty-file')['Content-Length'], '0', 'Content-Length')


def step_put_object_stream():
    chunks = [b'part-one;', b'part-two;', os.urandom(70000)]
    response = put('stream.bin', (c for c in chunks))
    data = b''.join(chunks)
    eq(response['ETag'], md5_etag(data), 'ETag')
    eq(get_bytes('stream.bin'), data, 'body read back')


def step_get_object_range():
    data = b'0123456789abcdef'
    put('range.txt', data)
    response = client.get_object(Bucket=BUCKET, Key='range.txt', Range='bytes=2-5')
    has_keys(response, ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges'], 'get_object with Range')
    eq(response['Content-Range'], 'bytes 2-5/16', 'Content-Range')
    eq(response['Content-Length'], '4', 'Content-Length')
    eq(read_body(response), b'2345', 'body')


def step_get_object_if_none_match():
    data = b'conditional'
    etag = put('cond.txt', data)['ETag']
    response = client.get_object(Bucket=BUCKET, Key='cond.txt', IfNoneMatch=etag)
    eq(read_body(response), b'', 'body of a 304')
    has_keys(response, ['ETag'], 'get_object answered 304')
    # The 304 must leave the kept-alive connection clean for the next request.
    for _ in range(3):
        eq(get_bytes('cond.txt'), data, 'a GET after the 304')
    e = service_error(lambda: client.get_object(Bucket=BUCKET, Key='cond.txt', IfMatch='"0000"'))
    eq(e.get_status_code(), 412, 'IfMatch that does not match')


def step_head_object():
    data = b'head me'
    put('head.txt', data)
    response = client.head_object(Bucket=BUCKET, Key='head.txt')
    has_keys(response, ['ETag', 'Last-Modified', 'Content-Type', 'Content-Length', 'x-cos-request-id'], 'head_object')
    eq(response['Content-Length'], str(len(data)), 'Content-Length')
    eq(response['ETag'], md5_etag(data), 'ETag')
    assert 'x-cos-storage-class' not in response, 'x-cos-storage-class %r on a STANDARD object' % response['x-cos-storage-class']
    e = service_error(lambda: client.head_object(Bucket=BUCKET, Key='no-such-key'))
    eq(e.get_status_code(), 404, 'head of a missing key')


def step_put_object_metadata():
    put('meta.json', b'{}', ContentType='application/json; charset=utf-8', CacheControl='max-age=1000000',
        ContentDisposition='attachment; filename="meta.json"', ContentLanguage='zh-cn', Expires='Wed, 28 Oct 2026 20:30:00 GMT',
        Metadata={'x-cos-meta-test': 'test', 'x-cos-meta-Other': 'Value 2'})
    response = client.head_object(Bucket=BUCKET, Key='meta.json')
    has_keys(response, ['Content-Type', 'Cache-Control', 'Content-Disposition', 'Content-Language', 'Expires', 'x-cos-meta-test'], 'head_object')
    eq(response['Content-Type'], 'application/json; charset=utf-8', 'Content-Type')
    eq(response['Cache-Control'], 'max-age=1000000', 'Cache-Control')
    eq(response['Content-Disposition'], 'attachment; filename="meta.json"', 'Content-Disposition')
    eq(response['Content-Language'], 'zh-cn', 'Content-Language')
    eq(response['x-cos-meta-test'], 'test', 'x-cos-meta-test')
    other = [v for k, v in response.items() if k.lower() == 'x-cos-meta-other']
    eq(other, ['Value 2'], 'x-cos-meta-other')


def step_content_type_from_suffix():
    # requests sets no Content-Type for bytes: COS takes it from the key's suffix.
    put('1.zip', b'PK')
    eq(client.head_object(Bucket=BUCKET, Key='1.zip')['Content-Type'], 'application/zip', 'Content-Type of 1.zip')
    put('page.html', b'<p>')
    eq(client.head_object(Bucket=BUCKET, Key='page.html')['Content-Type'], 'text/html', 'Content-Type of page.html')


def step_get_object_response_params():
    put('resp.txt', b'response headers')
    response = client.get_object(Bucket=BUCKET, Key='resp.txt', ResponseContentType='text/csv', ResponseContentDisposition='attachment; filename="r.csv"',
                                 ResponseCacheControl='no-cache', ResponseContentLanguage='en-US', ResponseContentEncoding='identity',
                                 ResponseExpires='Thu, 01 Jan 2037 00:00:00 GMT')
    has_keys(response, ['Content-Type', 'Content-Disposition', 'Cache-Control', 'Content-Language', 'Content-Encoding', 'Expires'], 'get_object')
    eq(response['Content-Type'], 'text/csv', 'Content-Type')
    eq(response['Content-Disposition'], 'attachment; filename="r.csv"', 'Content-Disposition')
    eq(response['Cache-Control'], 'no-cache', 'Cache-Control')
    eq(response['Content-Language'], 'en-US', 'Content-Language')
    eq(response['Expires'], 'Thu, 01 Jan 2037 00:00:00 GMT', 'Expires')
    eq(read_body(response), b'response headers', 'body')


def step_query_param_needing_encoding():
    # The SDK signs the name as quote(name, safe='-_.~').lower(): imagemogr2%2fthumbnail%2f%2150p.
    put('img.png', b'not really a png')
    # Image processing (CI) is a Tencent service cosbox does not offer: once the signature verifies,
    # the answer is 501 NotImplemented; a wrongly signed request is refused before that (403).
    rule = 'imageMogr2/thumbnail/!50p'
    dest = os.path.join(TMP, 'thumb.png')
    e = service_error(lambda: client.ci_get_object(Bucket=BUCKET, Key='img.png', DestImagePath=dest, Rule=rule))
    eq((e.get_status_code(), e.get_error_code()), (501, 'NotImplemented'), 'a CI rule, signed with its name encoded once')
    wrong = CosS3Client(config(SecretKey='not-the-secret-key'))
    e = service_error(lambda: wrong.ci_get_object(Bucket=BUCKET, Key='img.png', DestImagePath=dest, Rule=rule))
    eq((e.get_status_code(), e.get_error_code()), (403, 'SignatureDoesNotMatch'), 'the same request with a wrong key')


def step_copy_object():
    data = b'copy me'
    put('src.txt', data, Metadata={'x-cos-meta-a': '1'})
    response = client.copy_object(Bucket=BUCKET, Key='dst.txt', CopySource={'Bucket': BUCKET, 'Key': 'src.txt', 'Region': REGION})
    has_keys(response, ['ETag', 'LastModified'], 'copy_object')
    eq(response['ETag'], md5_etag(data), 'ETag')
    eq(get_bytes('dst.txt'), data, 'copied body')
    eq(client.head_object(Bucket=BUCKET, Key='dst.txt')['x-cos-meta-a'], '1', 'metadata copied')
    client.copy_object(Bucket=BUCKET, Key='dst.txt', CopySource={'Bucket': BUCKET, 'Key': 'dst.txt', 'Region': REGION},
                       CopyStatus='Replaced', ContentType='text/x-replaced', Metadata={'x-cos-meta-b': '2'})
    head = client.head_object(Bucket=BUCKET, Key='dst.txt')
    eq(head['Content-Type'], 'text/x-replaced', 'Content-Type after Replaced')
    eq((head.get('x-cos-meta-a'), head.get('x-cos-meta-b')), (None, '2'), 'metadata after Replaced')
    put('a dir/key with spaces+plus.txt', b'odd')
    client.copy_object(Bucket=BUCKET, Key='odd-copy.txt', CopySource={'Bucket': BUCKET, 'Key': 'a dir/key with spaces+plus.txt', 'Region': REGION})
    eq(get_bytes('odd-copy.txt'), b'odd', 'copy of a key needing encoding')


def step_delete_object():
    put('gone.txt', b'x')
    response = client.delete_object(Bucket=BUCKET, Key='gone.txt')
    has_keys(response, ['x-cos-request-id'], 'delete_object')
    e = service_error(lambda: client.head_object(Bucket=BUCKET, Key='gone.txt'))
    eq(e.get_status_code(), 404, 'head after delete')
    client.delete_object(Bucket=BUCKET, Key='gone.txt')  # 204 for a missing key


def step_delete_objects():
    for k in ('del/1', 'del/2', 'del/3'):
        put(k, b'x')
    data = client.delete_objects(Bucket=BUCKET, Delete={'Object': [{'Key': 'del/1'}, {'Key': 'del/2'}, {'Key': 'del/missing'}], 'Quiet': 'false'})
    eq(sorted(d['Key'] for d in data.get('Deleted', [])), ['del/1', 'del/2', 'del/missing'], 'Deleted keys')
    eq(data.get('Error', []), [], 'Error')
    left = client.list_objects(Bucket=BUCKET, Prefix='del/')
    eq([c['Key'] for c in left['Contents']], ['del/3'], 'keys left')
    data = client.delete_objects(Bucket=BUCKET, Delete={'Object': [{'Key': 'del/3'}], 'Quiet': 'true'})
    eq(data.get('Deleted', []), [], 'Deleted when Quiet')


def step_list_objects():
    for k in ('list/a.txt', 'list/b.txt', 'list/c.txt', 'list/sub/1.txt', 'list/sub/2.txt', 'list/zz/3.txt'):
        put(k, b'l')
    data = client.list_objects(Bucket=BUCKET, Prefix='list/')
    eq(data['Name'], BUCKET, 'Name')
    eq(data['IsTruncated'], 'false', 'IsTruncated')
    eq([c['Key'] for c in data['Contents']], ['list/a.txt', 'list/b.txt', 'list/c.txt', 'list/sub/1.txt', 'list/sub/2.txt', 'list/zz/3.txt'], 'keys')
    first = data['Contents'][0]
    has_keys(first, ['Key', 'LastModified', 'ETag', 'Size', 'StorageClass', 'Owner'], 'a Contents entry')
    eq(first['Size'], '1', 'Size')
    data = client.list_objects(Bucket=BUCKET, Prefix='list/', Delimiter='/')
    eq([c['Key'] for c in data['Contents']], ['list/a.txt', 'list/b.txt', 'list/c.txt'], 'keys with a delimiter')
    eq([p['Prefix'] for p in data['CommonPrefixes']], ['list/sub/', 'list/zz/'], 'CommonPrefixes')
    page = client.list_objects(Bucket=BUCKET, Prefix='list/', MaxKeys=2)
    eq(page['IsTruncated'], 'true', 'IsTruncated of a page')
    eq([c['Key'] for c in page['Contents']], ['list/a.txt', 'list/b.txt'], 'first page')
    marker = page.get('NextMarker') or page['Contents'][-1]['Key']
    page = client.list_objects(Bucket=BUCKET, Prefix='list/', Marker=marker, MaxKeys=2)
    eq([c['Key'] for c in page['Contents']], ['list/c.txt', 'list/sub/1.txt'], 'second page')


def step_list_objects_encoding_type():
    # The SDK decodes the keys when the answer says <EncodingType>url</EncodingType>.
    put('enc/ä ö+%.txt', b'e')
    data = client.list_objects(Bucket=BUCKET, Prefix='enc/', EncodingType='url')
    eq([c['Key'] for c in data['Contents']], ['enc/ä ö+%.txt'], 'keys with EncodingType=url')


def step_multipart():
    key = 'multi.bin'
    init = client.create_multipart_upload(Bucket=BUCKET, Key=key, ContentType='application/x-python', Metadata={'x-cos-meta-m': 'p'})
    has_keys(init, ['UploadId', 'Bucket', 'Key'], 'create_multipart_upload')
    eq(init['Key'], key, 'Key')
    upload_id = init['UploadId']
    part1 = os.urandom(1024 * 1024)
    part2 = b'the last part'
    r1 = client.upload_part(Bucket=BUCKET, Key=key, Body=part1, PartNumber=1, UploadId=upload_id)
    r2 = client.upload_part(Bucket=BUCKET, Key=key, Body=part2, PartNumber=2, UploadId=upload_id, EnableMD5=True)
    eq((r1['ETag'], r2['ETag']), (md5_etag(part1), md5_etag(part2)), 'part ETags')
    parts = client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id)
    eq([(p['PartNumber'], p['ETag'], p['Size']) for p in parts['Part']],
       [('1', md5_etag(part1), str(len(part1))), ('2', md5_etag(part2), str(len(part2)))], 'list_parts')
    eq(parts['UploadId'], upload_id, 'UploadId of list_parts')
    page = client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id, MaxParts=1)
    eq((page['IsTruncated'], [p['PartNumber'] for p in page['Part']]), ('true', ['1']), 'a page of list_parts')
    done = client.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id,
                                            MultipartUpload={'Part': [{'ETag': r1['ETag'], 'PartNumber': 1}, {'ETag': r2['ETag'], 'PartNumber': 2}]})
    has_keys(done, ['ETag', 'Bucket', 'Key', 'Location'], 'complete_multipart_upload')
    assert re.match(r'^"[0-9a-f]{32}-2"$', done['ETag']), 'ETag %r' % done['ETag']
    eq(get_bytes(key), part1 + part2, 'body')
    head = client.head_object(Bucket=BUCKET, Key=key)
    eq((head['Content-Type'], head.get('x-cos-meta-m')), ('application/x-python', 'p'), 'headers kept from the initiation')


def step_abort_multipart():
    key = 'aborted.bin'
    upload_id = client.create_multipart_upload(Bucket=BUCKET, Key=key)['UploadId']
    client.upload_part(Bucket=BUCKET, Key=key, Body=b'x' * 1024, PartNumber=1, UploadId=upload_id)
    uploads = client.list_multipart_uploads(Bucket=BUCKET, Prefix=key)
    eq([(u['Key'], u['UploadId']) for u in uploads.get('Upload', [])], [(key, upload_id)], 'list_multipart_uploads')
    eq(client.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id), None, 'abort returns')
    e = service_error(lambda: client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id))
    eq((e.get_status_code(), e.get_error_code()), (404, 'NoSuchUpload'), 'list_parts after abort')
    eq(client.list_multipart_uploads(Bucket=BUCKET, Prefix=key).get('Upload', []), [], 'uploads after abort')


def step_upload_file_simple():
    data = os.urandom(300 * 1024)
    response = client.upload_file(Bucket=BUCKET, Key='upload-small.bin', LocalFilePath=scratch_file('small.bin', data))
    eq(response['ETag'], md5_etag(data), 'ETag')
    eq(get_bytes('upload-small.bin'), data, 'body')


def step_upload_file_multipart():
    # Above the SDK's 20 MB threshold: list_multipart_uploads (resume), initiate, 21 parts of 1 MB on 5 threads, complete.
    data = os.urandom(20 * 1024 * 1024 + 12345)
    response = client.upload_file(Bucket=BUCKET, Key='upload-big.bin', LocalFilePath=scratch_file('big.bin', data), MAXThread=5)
    has_keys(response, ['ETag', 'Key'], 'upload_file')
    assert response['ETag'].endswith('-21"'), 'ETag %r' % response['ETag']
    body = get_bytes('upload-big.bin')
    eq((len(body), hashlib.md5(body).hexdigest()), (len(data), hashlib.md5(data).hexdigest()), 'size and md5 of the body')


def step_object_acl():
    put('acl.txt', b'public')
    e = service_error(lambda: read_body(anonymous.get_object(Bucket=BUCKET, Key='acl.txt')))
    eq(e.get_status_code(), 403, 'anonymous GET of a private object')
    client.put_object_acl(Bucket=BUCKET, Key='acl.txt', ACL='public-read')
    # The SDK's anonymous client sends an empty Authorization header.
    eq(read_body(anonymous.get_object(Bucket=BUCKET, Key='acl.txt')), b'public', 'anonymous GET after public-read')
    acl = client.get_object_acl(Bucket=BUCKET, Key='acl.txt')
    has_keys(acl, ['Owner', 'AccessControlList'], 'get_object_acl')
    grants = acl['AccessControlList']['Grant']
    assert any(g['Permission'] == 'READ' and 'AllUsers' in (g['Grantee'].get('URI') or '') for g in grants), 'no AllUsers READ grant in %r' % grants
    # cosbox resolves grantees: the one account of the test server grants READ to itself.
    grantee = 'qcs::cam::uin/%s:uin/%s' % (UIN, UIN)
    client.put_object_acl(Bucket=BUCKET, Key='acl.txt', GrantRead='id="%s"' % grantee)
    grants = client.get_object_acl(Bucket=BUCKET, Key='acl.txt')['AccessControlList']['Grant']
    eq([(g['Grantee'].get('ID'), g['Permission']) for g in grants if g['Permission'] == 'READ'], [(grantee, 'READ')], 'READ grants')
    # ElementTree reads xsi:type as {http://www.w3.org/2001/XMLSchema-instance}type, which the SDK turns into 'Type'.
    types = [g['Grantee'].get('Type') for g in grants if g['Permission'] == 'READ']
    assert types and all(t in ('RootAccount', 'SubAccount', 'Subaccount', 'CanonicalUser') for t in types), 'Grantee Type %r' % types


def step_bucket_acl():
    bucket = 'pyacl-%s-%s' % (RUN, APPID)
    client.create_bucket(Bucket=bucket, ACL='public-read')
    acl = client.get_bucket_acl(Bucket=bucket)
    grants = acl['AccessControlList']['Grant']
    assert any(g['Permission'] == 'READ' and 'AllUsers' in (g['Grantee'].get('URI') or '') for g in grants), 'no AllUsers READ grant in %r' % grants
    owner = 'qcs::cam::uin/%s:uin/%s' % (UIN, UIN)
    policy = {'Owner': {'ID': owner}, 'AccessControlList': {'Grant': [{'Grantee': {'ID': owner}, 'Permission': 'FULL_CONTROL'}]}}
    client.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    grants = client.get_bucket_acl(Bucket=bucket)['AccessControlList']['Grant']
    eq([(g['Grantee'].get('ID'), g['Permission']) for g in grants], [(owner, 'FULL_CONTROL')], 'grants from an AccessControlPolicy body')
    grantee = 'qcs::cam::uin/%s:uin/%s' % (UIN, UIN)
    client.put_bucket_acl(Bucket=bucket, ACL='private', GrantWrite='id="%s"' % grantee)
    grants = client.get_bucket_acl(Bucket=bucket)['AccessControlList']['Grant']
    eq([g['Grantee'].get('ID') for g in grants if g['Permission'] == 'WRITE'], [grantee], 'WRITE grant kept exactly')
    client.delete_bucket(Bucket=bucket)


def step_tagging():
    put('tagged.txt', b't')
    tags = {'TagSet': {'Tag': [{'Key': 'team', 'Value': 'storage'}, {'Key': 'env', 'Value': 'test'}]}}
    client.put_object_tagging(Bucket=BUCKET, Key='tagged.txt', Tagging=tags)
    got = client.get_object_tagging(Bucket=BUCKET, Key='tagged.txt')
    eq(sorted((t['Key'], t['Value']) for t in got['TagSet']['Tag']), [('env', 'test'), ('team', 'storage')], 'object tags')
    client.delete_object_tagging(Bucket=BUCKET, Key='tagged.txt')
    got = client.get_object_tagging(Bucket=BUCKET, Key='tagged.txt')
    eq((got.get('TagSet') or {}).get('Tag', []), [], 'object tags after delete')
    client.put_bucket_tagging(Bucket=BUCKET, Tagging={'TagSet': {'Tag': [{'Key': 'k', 'Value': 'v'}]}})
    eq([(t['Key'], t['Value']) for t in client.get_bucket_tagging(Bucket=BUCKET)['TagSet']['Tag']], [('k', 'v')], 'bucket tags')
    client.delete_bucket_tagging(Bucket=BUCKET)


def step_versioning():
    client.create_bucket(Bucket=VERSIONED)
    client.put_bucket_versioning(Bucket=VERSIONED, Status='Enabled')
    eq(client.get_bucket_versioning(Bucket=VERSIONED).get('Status'), 'Enabled', 'get_bucket_versioning')
    v1 = client.put_object(Bucket=VERSIONED, Key='v.txt', Body=b'one')
    v2 = client.put_object(Bucket=VERSIONED, Key='v.txt', Body=b'two')
    has_keys(v1, ['x-cos-version-id'], 'put_object in a versioned bucket')
    assert v1['x-cos-version-id'] != v2['x-cos-version-id'], 'two versions with one id'
    old = client.get_object(Bucket=VERSIONED, Key='v.txt', VersionId=v1['x-cos-version-id'])
    eq((read_body(old), old.get('x-cos-version-id')), (b'one', v1['x-cos-version-id']), 'get_object of the old version')
    eq(client.head_object(Bucket=VERSIONED, Key='v.txt', VersionId=v1['x-cos-version-id'])['Content-Length'], '3', 'head_object VersionId')
    deleted = client.delete_object(Bucket=VERSIONED, Key='v.txt')
    eq(deleted.get('x-cos-delete-marker'), 'true', 'x-cos-delete-marker')
    has_keys(deleted, ['x-cos-version-id'], 'delete_object in a versioned bucket')
    listing = client.list_objects_versions(Bucket=VERSIONED)
    eq(sorted(v['VersionId'] for v in listing['Version']), sorted([v1['x-cos-version-id'], v2['x-cos-version-id']]), 'Version entries')
    eq([(m['Key'], m['IsLatest']) for m in listing['DeleteMarker']], [('v.txt', 'true')], 'DeleteMarker entries')


def step_presigned_urls():
    data = b'presigned'
    put('signed.txt', data)
    url = client.get_presigned_download_url(Bucket=BUCKET, Key='signed.txt', Expired=120)
    assert 'q-sign-algorithm=sha1' in url and 'q-signature=' in url, url
    r = requests.get(url, proxies=PROXIES, timeout=TIMEOUT)
    eq((r.status_code, r.content), (200, data), 'GET of a pre-signed download URL')
    url = client.get_presigned_url(Bucket=BUCKET, Key='signed.txt', Method='GET', Params={'response-content-type': 'text/x-signed'})
    r = requests.get(url, proxies=PROXIES, timeout=TIMEOUT)
    eq((r.status_code, r.headers.get('Content-Type')), (200, 'text/x-signed'), 'GET with a signed response-content-type')
    url = client.get_presigned_url(Bucket=BUCKET, Key='put-signed.txt', Method='PUT')
    r = requests.put(url, data=b'uploaded by url', proxies=PROXIES, timeout=TIMEOUT)
    eq(r.status_code, 200, 'PUT to a pre-signed URL')
    eq(get_bytes('put-signed.txt'), b'uploaded by url', 'body put by URL')
    r = requests.get(url.replace('signed.txt', 'other.txt'), proxies=PROXIES, timeout=TIMEOUT)
    eq(r.status_code, 403, 'a URL signed for another key')


def step_append_object():
    r1 = client.append_object(Bucket=BUCKET, Key='append.log', Position=0, Data=b'line 1\n')
    has_keys(r1, ['x-cos-next-append-position'], 'append_object')
    eq(r1['x-cos-next-append-position'], '7', 'next position')
    r2 = client.append_object(Bucket=BUCKET, Key='append.log', Position=int(r1['x-cos-next-append-position']), Data=b'line 2\n')
    eq(r2['x-cos-next-append-position'], '14', 'next position')
    eq(get_bytes('append.log'), b'line 1\nline 2\n', 'body')
    e = service_error(lambda: client.append_object(Bucket=BUCKET, Key='append.log', Position=3, Data=b'x'))
    eq((e.get_status_code(), e.get_error_code()), (409, 'PositionNotEqualToLength'), 'append at a wrong position, as COS answers')


def step_service_errors():
    e = service_error(lambda: read_body(client.get_object(Bucket=BUCKET, Key='missing/key.txt')))
    eq((e.get_status_code(), e.get_error_code()), (404, 'NoSuchKey'), 'GET of a missing key')
    assert e.get_request_id(), 'RequestId'
    assert e.get_resource_location(), 'Resource'
    wrong = CosS3Client(config(SecretKey='not-the-secret-key'))
    e = service_error(lambda: wrong.head_bucket(Bucket=BUCKET))
    eq(e.get_status_code(), 403, 'a wrong secret key')
    e = service_error(lambda: wrong.list_objects(Bucket=BUCKET))
    eq(e.get_error_code(), 'SignatureDoesNotMatch', 'code for a wrong secret key')


def step_secret_id_trailing_space():
    spaced = CosS3Client(config(SecretId=SECRET_ID + ' '))
    e = service_error(lambda: spaced.list_objects(Bucket=BUCKET))
    eq((e.get_status_code(), e.get_error_code()), (403, 'InvalidAccessKeyId'), 'a SecretId with a trailing space')


def capture_requests(calls):
    """Runs `calls(client)` against a listener on 127.0.0.1 that records each request's head and body and answers 200."""
    import socket
    import threading
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen(8)
    seen = []

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            data = b''
            conn.settimeout(0.3)
            try:
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            except OSError:
                pass
            seen.append(data)
            conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    recorder = CosS3Client(config(Proxies={'http': 'http://127.0.0.1:%d' % listener.getsockname()[1]}))
    try:
        calls(recorder)
    finally:
        listener.close()
    return seen


def head_of(raw):
    head, _, body = raw.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    headers = dict(line.split(': ', 1) for line in lines[1:])
    auth = dict(p.split('=', 1) for p in headers.get('Authorization', '').split('&') if '=' in p)
    return lines[0], headers, auth, body


def step_request_shapes():
    # What the other steps rely on: requests frames these bodies as the SDK's requests do.
    def calls(c):
        with open(scratch_file('wire-empty', b''), 'rb') as fp:
            c.put_object(Bucket=BUCKET, Body=fp, Key='e')
        c.put_object(Bucket=BUCKET, Body=(x for x in [b'ab', b'cd']), Key='g')
        c.put_object(Bucket=BUCKET, Body=b'xyz', Key='b')
        c.ci_get_object(Bucket=BUCKET, Key='i', DestImagePath=os.path.join(TMP, 'wire.out'), Rule='imageMogr2/thumbnail/!50p')
    seen = capture_requests(calls)
    eq(len(seen), 4, 'requests recorded')
    line, headers, auth, body = head_of(seen[0])
    eq(line, 'PUT http://%s.cos.%s.myqcloud.com/e HTTP/1.1' % (BUCKET, REGION), 'request line (absolute form)')
    eq((headers.get('Transfer-Encoding'), 'Content-Length' in headers, body), ('chunked', False, b'0\r\n\r\n'), 'empty file framing')
    eq(auth.get('q-header-list'), 'host;transfer-encoding', 'headers signed for an empty file')
    eq(auth.get('q-sign-algorithm'), 'sha1', 'q-sign-algorithm')
    _, headers, _, body = head_of(seen[1])
    eq((headers.get('Transfer-Encoding'), body), ('chunked', b'2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n'), 'generator framing')
    _, headers, auth, body = head_of(seen[2])
    eq((headers.get('Content-Length'), auth.get('q-header-list'), body), ('3', 'content-length;host', b'xyz'), 'bytes framing')
    line, _, auth, _ = head_of(seen[3])
    assert line.endswith('/i?imageMogr2%2Fthumbnail%2F%2150p= HTTP/1.1'), line
    eq(auth.get('q-url-param-list'), 'imagemogr2%2fthumbnail%2f%2150p', 'signed parameter name')


STEPS = [
    ('request shapes (recorded off the server)', step_request_shapes),
    ('create_bucket', step_create_bucket),
    ('list_buckets', step_list_buckets),
    ('head_bucket', step_head_bucket),
    ('put_object bytes', step_put_object_bytes),
    ('put_object empty bytes', step_put_object_empty_bytes),
    ('put_object file', step_put_object_file),
    ('put_object empty file (chunked)', step_put_object_empty_file),
    ('put_object generator stream (chunked)', step_put_object_stream),
    ('get_object Range', step_get_object_range),
    ('get_object IfNoneMatch 304', step_get_object_if_none_match),
    ('head_object', step_head_object),
    ('put_object metadata and content headers', step_put_object_metadata),
    ('Content-Type from the key suffix', step_content_type_from_suffix),
    ('get_object response-* params', step_get_object_response_params),
    ('query parameter name needing encoding', step_query_param_needing_encoding),
    ('copy_object', step_copy_object),
    ('delete_object', step_delete_object),
    ('delete_objects', step_delete_objects),
    ('list_objects prefix delimiter marker', step_list_objects),
    ('list_objects EncodingType=url', step_list_objects_encoding_type),
    ('multipart create upload_part list_parts complete', step_multipart),
    ('multipart abort and list_multipart_uploads', step_abort_multipart),
    ('upload_file simple', step_upload_file_simple),
    ('upload_file multipart', step_upload_file_multipart),
    ('object ACL', step_object_acl),
    ('bucket ACL', step_bucket_acl),
    ('tagging', step_tagging),
    ('versioning', step_versioning),
    ('presigned URLs', step_presigned_urls),
    ('append_object', step_append_object),
    ('service errors', step_service_errors),
    ('SecretId with a trailing space', step_secret_id_trailing_space),
]


def main(argv):
    if argv[:1] == ['--list']:
        print(json.dumps([name for name, _ in STEPS]))
        return 0
    wanted = set(argv)
    for name, run in STEPS:
        if wanted and name not in wanted:
            continue
        started = time.time()
        try:
            run()
            result = {'step': name, 'ok': True}
        except Exception as e:  # noqa: BLE001 - every failure is reported, the next step still runs
            detail = e.get_origin_msg() if isinstance(e, CosServiceError) else ''
            result = {'step': name, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e if not detail else 'status %s %s' % (e.get_status_code(), str(detail)[:600])),
                      'trace': traceback.format_exc()[-1500:]}
        result['ms'] = int((time.time() - started) * 1000)
        print(json.dumps(result), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
