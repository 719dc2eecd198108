"""
A request-for-request stand-in for cos-python-sdk-v5 (qcloud_cos), which cannot be installed here
(no PyPI). It keeps the official SDK's names, signatures and return shapes, and above all shapes
the HTTP requests as the SDK does, through the same library (requests):

- CosS3Auth: q-sign-algorithm=sha1; header and parameter names `quote(k, safe='-_.~').lower()`,
  values `quote(v, safe='-_.~')`; the headers signed are those of the SDK's filter_headers (content
  and conditional headers, Host, Range, Transfer-Encoding, x-cos-*/x-ci-*) as requests has them
  once the body is prepared (so Content-Length, or Transfer-Encoding: chunked for an empty file or
  a generator); the host comes from the URL (hostname, no port); sign time now-60 .. now+expire.
- Bodies go to requests untouched: bytes get a Content-Length, files their size, empty files and
  generators go chunked; XML bodies are dicttoxml's bytes (`<?xml version="1.0" encoding="UTF-8" ?>`).
- Responses are read as the SDK reads them: header dicts through `dict(**rt.headers)`, so keys keep
  the server's spelling; XML through ElementTree into the SDK's Xml2Dict, with its namespace
  stripping and `xsi:type` -> `Type`; errors through digest_xml (minidom), which needs Code,
  Message, Resource and RequestId to be non-empty.

Like CosConfig(Proxies=...) in the SDK, the client reaches cosbox as an HTTP proxy: requests go out
in absolute form with `Host: <bucket>.cos.<region>.myqcloud.com`, exactly the host COS would see.
"""
import base64
import hashlib
import hmac
import os
import time
import xml.dom.minidom
import xml.etree.ElementTree
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, unquote, urlencode, urlparse

import requests
from requests.auth import AuthBase

__version__ = '1.9.30'


# ---------------------------------------------------------------- errors (cos_exception.py)

class CosException(Exception):
    def __init__(self, message):
        self._message = message
        Exception.__init__(self, message)

    def get_origin_msg(self):
        return self._message


class CosClientError(CosException):
    pass


def digest_xml(data):
    """The SDK's error digest: every field read as `childNodes[0]`, so an empty element breaks it."""
    msg = dict()
    try:
        tree = xml.dom.minidom.parseString(data)
        root = tree.documentElement
        result = root.getElementsByTagName('Code')
        msg['code'] = result[0].childNodes[0].nodeValue
        result = root.getElementsByTagName('Message')
        msg['message'] = result[0].childNodes[0].nodeValue
        result = root.getElementsByTagName('Resource')
        msg['resource'] = result[0].childNodes[0].nodeValue
        result = root.getElementsByTagName('RequestId')
        msg['requestid'] = result[0].childNodes[0].nodeValue
        result = root.getElementsByTagName('TraceId')
        msg['traceid'] = result[0].childNodes[0].nodeValue if result else 'Unknown'
        return msg
    except Exception:
        return "Response Error Msg Is INVALID"


class CosServiceError(CosException):
    def __init__(self, method, message, status_code):
        CosException.__init__(self, message)
        if isinstance(message, dict):
            self._origin_msg = ''
            self._digest_msg = message
        else:
            self._origin_msg = message
            self._digest_msg = digest_xml(message)
        self._status_code = status_code

    def get_status_code(self):
        return self._status_code

    def get_error_code(self):
        return self._digest_msg['code']

    def get_error_msg(self):
        return self._digest_msg['message']

    def get_resource_location(self):
        return self._digest_msg['resource']

    def get_request_id(self):
        return self._digest_msg['requestid']

    def get_trace_id(self):
        return self._digest_msg['traceid']


# ---------------------------------------------------------------- helpers (cos_comm.py, xml2dict.py)

maplist = {
    'ContentLength': 'Content-Length',
    'ContentMD5': 'Content-MD5',
    'ContentType': 'Content-Type',
    'CacheControl': 'Cache-Control',
    'ContentDisposition': 'Content-Disposition',
    'ContentEncoding': 'Content-Encoding',
    'ContentLanguage': 'Content-Language',
    'Expires': 'Expires',
    'ResponseContentType': 'response-content-type',
    'ResponseContentLanguage': 'response-content-language',
    'ResponseExpires': 'response-expires',
    'ResponseCacheControl': 'response-cache-control',
    'ResponseContentDisposition': 'response-content-disposition',
    'ResponseContentEncoding': 'response-content-encoding',
    'Metadata': 'Metadata',
    'ACL': 'x-cos-acl',
    'GrantFullControl': 'x-cos-grant-full-control',
    'GrantWrite': 'x-cos-grant-write',
    'GrantRead': 'x-cos-grant-read',
    'StorageClass': 'x-cos-storage-class',
    'Range': 'Range',
    'IfMatch': 'If-Match',
    'IfNoneMatch': 'If-None-Match',
    'IfModifiedSince': 'If-Modified-Since',
    'IfUnmodifiedSince': 'If-Unmodified-Since',
    'CopySourceIfMatch': 'x-cos-copy-source-If-Match',
    'CopySourceIfNoneMatch': 'x-cos-copy-source-If-None-Match',
    'CopySourceIfModifiedSince': 'x-cos-copy-source-If-Modified-Since',
    'CopySourceIfUnmodifiedSince': 'x-cos-copy-source-If-Unmodified-Since',
    'VersionId': 'versionId',
    'TrafficLimit': 'x-cos-traffic-limit',
    'Tagging': 'x-cos-tagging',
}


def to_bytes(s):
    if isinstance(s, str):
        return s.encode('utf-8')
    return s


def to_str(s):
    if isinstance(s, bytes):
        return s.decode('utf-8')
    return str(s)


def mapped(headers):
    """The SDK's keyword -> header/parameter mapping; an unknown keyword is an error, as in the SDK."""
    _headers = dict()
    for i in headers:
        if i not in maplist:
            raise CosClientError('No Parameter Named ' + i + ' Please Check It')
        if i == 'Metadata':
            for meta in headers[i]:
                _headers[meta] = headers[i][meta]
        else:
            _headers[maplist[i]] = headers[i]
    return _headers


def format_values(data):
    for i in data:
        data[i] = to_str(data[i])
    return data


def get_md5(data):
    return base64.standard_b64encode(hashlib.md5(to_bytes(data)).digest()).decode()


def get_content_md5(body):
    if isinstance(body, (bytes, str)):
        return get_md5(body)
    if hasattr(body, 'tell') and hasattr(body, 'seek') and hasattr(body, 'read'):
        pos = body.tell()
        md5 = hashlib.md5(body.read())
        body.seek(pos)
        return base64.standard_b64encode(md5.digest()).decode()
    return None


def _xml_escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;').replace("'", '&apos;')


def _dicttoxml(value, name):
    """dicttoxml(item_func=lambda x: x, attr_type=False): a list repeats its own name around each item."""
    if isinstance(value, dict):
        return '<%s>%s</%s>' % (name, ''.join(_dicttoxml(v, k) for k, v in value.items()), name)
    if isinstance(value, (list, tuple)):
        return '<%s>%s</%s>' % (name, ''.join(_dicttoxml(v, name) for v in value), name)
    if isinstance(value, bool):
        value = 'true' if value else 'false'
    return '<%s>%s</%s>' % (name, _xml_escape(str(value)), name)


def format_xml(data, root, lst=list()):
    """The SDK's format_xml: dicttoxml bytes, then each `<X><X>` of a list tag collapsed to `<X>`."""
    xml_config = ('<?xml version="1.0" encoding="UTF-8" ?>' + _dicttoxml(data, root)).encode('utf-8')
    for i in lst:
        xml_config = xml_config.replace(to_bytes(i + i), to_bytes(i))
    return xml_config


class Xml2Dict(dict):
    def __init__(self, parent_node):
        if parent_node.items():
            self.updateDict(dict(parent_node.items()))
        for element in parent_node:
            if len(element):
                self.updateDict({element.tag: Xml2Dict(element)})
            elif element.items():
                elementattrib = list(element.items())
                if element.text:
                    elementattrib.append((element.tag, element.text))
                self.updateDict({element.tag: dict(elementattrib)})
            else:
                self.updateDict({element.tag: element.text})

    def updateDict(self, aDict):
        for key in aDict:
            if key in self:
                value = self.pop(key)
                if type(value) is not list:
                    self.update({key: [value, aDict[key]]})
                else:
                    value.append(aDict[key])
                    self.update({key: value})
            else:
                self.update({key: aDict[key]})


def xml_to_dict(data, origin_str="", replace_str=""):
    root = xml.etree.ElementTree.fromstring(data)
    xmlstr = str(Xml2Dict(root))
    xmlstr = xmlstr.replace("{http://www.qcloud.com/document/product/436/7751}", "")
    xmlstr = xmlstr.replace("{https://cloud.tencent.com/document/product/436}", "")
    xmlstr = xmlstr.replace("{http://doc.s3.amazonaws.com/2006-03-01}", "")
    xmlstr = xmlstr.replace("{http://www.w3.org/2001/XMLSchema-instance}", "")
    if origin_str:
        xmlstr = xmlstr.replace(origin_str, replace_str)
    return eval(xmlstr)


def format_dict(data, key_lst):
    """Makes each of `key_lst` a list even when the XML had one element."""
    if not isinstance(data, dict):
        return
    for key in key_lst:
        if key in data and not isinstance(data[key], list):
            data[key] = [data[key]]


def decode_result(data, key_lst, multi_key_list):
    for key in key_lst:
        if key in data and data[key]:
            data[key] = unquote(data[key])
    for multi_key in multi_key_list:
        if multi_key[0] in data:
            for item in data[multi_key[0]]:
                if multi_key[1] in item and item[multi_key[1]]:
                    item[multi_key[1]] = unquote(item[multi_key[1]])
    return data


def format_region(region):
    if region.startswith('cos.') or region.startswith('cn-'):
        return region
    return 'cos.' + region


def gen_copy_source_url(copy_source):
    bucket = copy_source['Bucket']
    region = format_region(copy_source['Region'])
    path = to_str(copy_source['Key'])
    if path and path[0] == '/':
        path = path[1:]
    url = u"{bucket}.{region}.myqcloud.com/{path}".format(bucket=bucket, region=region, path=quote(to_bytes(path), '/-_.~'))
    if 'VersionId' in copy_source:
        url = u"{url}?versionId={versionId}".format(url=url, versionId=copy_source['VersionId'])
    return url


def filter_headers(data):
    """The headers the SDK signs (cos_auth.filter_headers)."""
    valid_headers = [
        "cache-control", "content-disposition", "content-encoding", "content-type", "content-md5",
        "content-length", "expect", "expires", "host", "if-match", "if-modified-since", "if-none-match",
        "if-unmodified-since", "origin", "range", "transfer-encoding", "pic-operations",
    ]
    headers = {}
    for i in data:
        lower = str.lower(i)
        if lower in valid_headers or lower.startswith("x-cos-") or lower.startswith("x-ci-"):
            headers[i] = data[i]
    return headers


# ---------------------------------------------------------------- signing (cos_auth.py)

class CosS3Auth(AuthBase):
    def __init__(self, conf, key=None, params={}, expire=10000, sign_host=None):
        self._secret_id = conf._secret_id
        self._secret_key = conf._secret_key
        self._anonymous = conf._anonymous
        self._expire = expire
        self._params = params
        self._sign_params = True
        self._sign_host = conf._sign_host if sign_host is None else bool(sign_host)
        if key:
            key = to_str(key)
            self._path = key if key[0] == u'/' else u'/' + key
        else:
            self._path = u'/'

    def __call__(self, r):
        if self._anonymous:
            r.headers['Authorization'] = ""
            return r
        path = self._path
        uri_params = self._params if self._sign_params else {}
        headers = filter_headers(r.headers)
        if self._sign_host and not any(str.lower(i) == "host" for i in headers):
            url_parsed = urlparse(r.url)
            if url_parsed.hostname is not None:
                headers["host"] = url_parsed.hostname
        # Reserved characters -_.~ ; '/' is encoded and a space is %20, never '+'.
        headers = dict([(quote(to_bytes(to_str(k)), '-_.~').lower(), quote(to_bytes(to_str(v)), '-_.~')) for k, v in headers.items()])
        uri_params = dict([(quote(to_bytes(to_str(k)), '-_.~').lower(), quote(to_bytes(to_str(v)), '-_.~')) for k, v in uri_params.items()])
        format_str = u"{method}\n{host}\n{params}\n{headers}\n".format(
            method=r.method.lower(),
            host=path,
            params='&'.join(map(lambda t: "%s=%s" % (t[0], t[1]), sorted(uri_params.items()))),
            headers='&'.join(map(lambda t: "%s=%s" % (t[0], t[1]), sorted(headers.items()))),
        )
        start_sign_time = int(time.time())
        sign_time = "{bg_time};{ed_time}".format(bg_time=start_sign_time - 60, ed_time=start_sign_time + self._expire)
        sha1 = hashlib.sha1()
        sha1.update(to_bytes(format_str))
        str_to_sign = "sha1\n{time}\n{sha1}\n".format(time=sign_time, sha1=sha1.hexdigest())
        sign_key = hmac.new(to_bytes(self._secret_key), to_bytes(sign_time), hashlib.sha1).hexdigest()
        sign = hmac.new(to_bytes(sign_key), to_bytes(str_to_sign), hashlib.sha1).hexdigest()
        sign_tpl = "q-sign-algorithm=sha1&q-ak={ak}&q-sign-time={sign_time}&q-key-time={key_time}&q-header-list={headers}&q-url-param-list={params}&q-signature={sign}"
        r.headers['Authorization'] = sign_tpl.format(
            ak=self._secret_id, sign_time=sign_time, key_time=sign_time,
            params=';'.join(sorted(uri_params.keys())), headers=';'.join(sorted(headers.keys())), sign=sign)
        return r


# ---------------------------------------------------------------- client (cos_client.py)

class CosConfig(object):
    def __init__(self, Region=None, SecretId=None, SecretKey=None, Scheme='http', Proxies=None, Timeout=None,
                 Anonymous=False, SignHost=True, ServiceDomain=None):
        self._region = format_region(Region)
        self._endpoint = u"{region}.myqcloud.com".format(region=self._region)
        self._secret_id = SecretId
        self._secret_key = SecretKey
        self._scheme = Scheme
        self._proxies = Proxies
        self._timeout = Timeout
        self._anonymous = Anonymous
        self._sign_host = SignHost
        self._service_domain = ServiceDomain

    def uri(self, bucket=None, path=None):
        url = u"{bucket}.{endpoint}".format(bucket=bucket, endpoint=self._endpoint)
        if path is not None:
            if not path:
                raise CosClientError("Key is required not empty")
            path = to_str(path)
            if path[0] == u'/':
                path = path[1:]
            path = quote(to_bytes(path), '/-_.~')
            path = path.replace('./', '.%2F')
            return u"{scheme}://{url}/{path}".format(scheme=self._scheme, url=url, path=path)
        return u"{scheme}://{url}/".format(scheme=self._scheme, url=url)


class StreamBody(object):
    def __init__(self, rt):
        self._rt = rt

    def get_raw_stream(self):
        return self._rt.raw

    def get_stream(self, chunk_size=1024):
        return self._rt.iter_content(chunk_size=chunk_size)

    def get_stream_to_file(self, file_name):
        with open(file_name, 'wb') as fp:
            for chunk in self._rt.iter_content(chunk_size=1024):
                fp.write(chunk)


class CosS3Client(object):
    def __init__(self, conf, retry=1, session=None):
        self._conf = conf
        self._retry = retry
        self._session = session or requests.session()

    def get_conf(self):
        return self._conf

    def send_request(self, method, url, bucket, timeout=30, **kwargs):
        """requests with the SDK's User-Agent; 4xx/5xx become CosServiceError, a 404 on HEAD NoSuchResource."""
        if self._conf._timeout is not None:
            timeout = self._conf._timeout
        kwargs['headers']['User-Agent'] = 'cos-python-sdk-v' + __version__
        kwargs['headers'] = format_values(kwargs['headers'])
        if 'data' in kwargs:
            kwargs['data'] = to_bytes(kwargs['data'])
        res = self._session.request(method, url, timeout=timeout, proxies=self._conf._proxies, **kwargs)
        if res.status_code < 400:
            return res
        if method == 'HEAD' and res.status_code == 404:
            info = {'code': 'NoSuchResource', 'message': 'The Resource You Head Not Exist', 'resource': url,
                    'requestid': res.headers.get('x-cos-request-id'), 'traceid': res.headers.get('x-cos-trace-id')}
            raise CosServiceError(method, info, res.status_code)
        msg = res.text
        if msg == u'':
            msg = res.headers
        raise CosServiceError(method, msg, res.status_code)

    # ---- service and buckets

    def list_buckets(self, **kwargs):
        headers = mapped(kwargs)
        url = '{}://service.cos.myqcloud.com/'.format(self._conf._scheme)
        if self._conf._service_domain is not None:
            url = '{}://{}/'.format(self._conf._scheme, self._conf._service_domain)
        rt = self.send_request('GET', url, None, headers=headers, auth=CosS3Auth(self._conf))
        data = xml_to_dict(rt.content)
        if data['Buckets'] is not None and not isinstance(data['Buckets']['Bucket'], list):
            data['Buckets']['Bucket'] = [data['Buckets']['Bucket']]
        return data

    def create_bucket(self, Bucket, **kwargs):
        headers = mapped(kwargs)
        self.send_request('PUT', self._conf.uri(bucket=Bucket), Bucket, auth=CosS3Auth(self._conf), headers=headers)
        return None

    def head_bucket(self, Bucket, **kwargs):
        headers = mapped(kwargs)
        rt = self.send_request('HEAD', self._conf.uri(bucket=Bucket), Bucket, auth=CosS3Auth(self._conf), headers=headers)
        return dict(**rt.headers)

    def delete_bucket(self, Bucket, **kwargs):
        headers = mapped(kwargs)
        self.send_request('DELETE', self._conf.uri(bucket=Bucket), Bucket, auth=CosS3Auth(self._conf), headers=headers)
        return None

    def list_objects(self, Bucket, Prefix="", Delimiter="", Marker="", MaxKeys=1000, EncodingType="", **kwargs):
        headers = mapped(kwargs)
        params = {'prefix': Prefix, 'delimiter': Delimiter, 'marker': Marker, 'max-keys': MaxKeys}
        if EncodingType:
            if EncodingType != 'url':
                raise CosClientError('EncodingType must be url')
            params['encoding-type'] = EncodingType
        params = format_values(params)
        rt = self.send_request('GET', self._conf.uri(bucket=Bucket), Bucket, params=params, headers=headers,
                               auth=CosS3Auth(self._conf, params=params))
        data = xml_to_dict(rt.content)
        format_dict(data, ['Contents', 'CommonPrefixes'])
        if 'EncodingType' in data and data['EncodingType'] == 'url':
            data = decode_result(data, ['Prefix', 'Marker', 'NextMarker'], [['Contents', 'Key'], ['CommonPrefixes', 'Prefix']])
        return data

    def list_objects_versions(self, Bucket, Prefix="", Delimiter="", KeyMarker="", VersionIdMarker="", MaxKeys=1000, EncodingType="", **kwargs):
        headers = mapped(kwargs)
        params = {'versions': '', 'prefix': Prefix, 'delimiter': Delimiter, 'key-marker': KeyMarker,
                  'version-id-marker': VersionIdMarker, 'max-keys': MaxKeys}
        if EncodingType:
            params['encoding-type'] = EncodingType
        params = format_values(params)
        rt = self.send_request('GET', self._conf.uri(bucket=Bucket), Bucket, params=params, headers=headers,
                               auth=CosS3Auth(self._conf, params=params))
        data = xml_to_dict(rt.content)
        format_dict(data, ['Version', 'DeleteMarker', 'CommonPrefixes'])
        return data

    def _put_xml(self, Bucket, Key, params, xml_config, headers, md5=False):
        if md5:
            headers['Content-MD5'] = get_md5(xml_config)
            headers['Content-Type'] = 'application/xml'
        url = self._conf.uri(bucket=Bucket, path=Key) if Key else self._conf.uri(bucket=Bucket)
        return self.send_request('PUT', url, Bucket, data=xml_config, auth=CosS3Auth(self._conf, Key, params=params),
                                 headers=headers, params=params)

    def _get_sub(self, Bucket, Key, params, headers):
        url = self._conf.uri(bucket=Bucket, path=Key) if Key else self._conf.uri(bucket=Bucket)
        return self.send_request('GET', url, Bucket, auth=CosS3Auth(self._conf, Key, params=params), headers=headers, params=params)

    def _delete_sub(self, Bucket, Key, params, headers):
        url = self._conf.uri(bucket=Bucket, path=Key) if Key else self._conf.uri(bucket=Bucket)
        return self.send_request('DELETE', url, Bucket, auth=CosS3Auth(self._conf, Key, params=params), headers=headers, params=params)

    def put_bucket_acl(self, Bucket, AccessControlPolicy={}, **kwargs):
        xml_config = format_xml(data=AccessControlPolicy, root='AccessControlPolicy', lst=['<Grant>', '</Grant>']) if AccessControlPolicy else ""
        self._put_xml(Bucket, None, {'acl': ''}, xml_config, mapped(kwargs))
        return None

    def get_bucket_acl(self, Bucket, **kwargs):
        rt = self._get_sub(Bucket, None, {'acl': ''}, mapped(kwargs))
        return self._acl_dict(rt)

    def put_bucket_versioning(self, Bucket, Status, **kwargs):
        xml_config = format_xml(data={'Status': Status}, root='VersioningConfiguration')
        self._put_xml(Bucket, None, {'versioning': ''}, xml_config, mapped(kwargs))
        return None

    def get_bucket_versioning(self, Bucket, **kwargs):
        rt = self._get_sub(Bucket, None, {'versioning': ''}, mapped(kwargs))
        return xml_to_dict(rt.content)

    def put_bucket_tagging(self, Bucket, Tagging={}, **kwargs):
        xml_config = format_xml(data=Tagging, root='Tagging', lst=['<Tag>', '</Tag>'])
        self._put_xml(Bucket, None, {'tagging': ''}, xml_config, mapped(kwargs), md5=True)
        return None

    def get_bucket_tagging(self, Bucket, **kwargs):
        rt = self._get_sub(Bucket, None, {'tagging': ''}, mapped(kwargs))
        data = xml_to_dict(rt.content)
        if 'TagSet' in data and data['TagSet']:
            format_dict(data['TagSet'], ['Tag'])
        return data

    def delete_bucket_tagging(self, Bucket, **kwargs):
        self._delete_sub(Bucket, None, {'tagging': ''}, mapped(kwargs))
        return None

    # ---- objects

    def put_object(self, Bucket, Body, Key, EnableMD5=False, **kwargs):
        headers = mapped(kwargs)
        if EnableMD5:
            md5_str = get_content_md5(Body)
            if md5_str:
                headers['Content-MD5'] = md5_str
        rt = self.send_request('PUT', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key),
                               data=Body, headers=headers)
        return dict(**rt.headers)

    def _object_request(self, method, Bucket, Key, kwargs, extra_params=None, stream=False):
        headers = mapped(kwargs)
        params = dict(extra_params or {})
        final_headers = {}
        for key in headers:
            if key.startswith("response"):
                params[key] = headers[key]
            else:
                final_headers[key] = headers[key]
        if 'versionId' in final_headers:
            params['versionId'] = final_headers.pop('versionId')
        params = format_values(params)
        return self.send_request(method, self._conf.uri(bucket=Bucket, path=Key), Bucket, stream=stream,
                                 auth=CosS3Auth(self._conf, Key, params=params), params=params, headers=final_headers)

    def get_object(self, Bucket, Key, **kwargs):
        rt = self._object_request('GET', Bucket, Key, kwargs, stream=True)
        response = dict(**rt.headers)
        response['Body'] = StreamBody(rt)
        return response

    def ci_get_object(self, Bucket, Key, DestImagePath, Rule, **kwargs):
        """GET with the processing rule as a query parameter name (`imageMogr2/thumbnail/!50p`)."""
        rt = self._object_request('GET', Bucket, Key, kwargs, extra_params={Rule: ''}, stream=True)
        response = dict(**rt.headers)
        StreamBody(rt).get_stream_to_file(DestImagePath)
        return response

    def head_object(self, Bucket, Key, **kwargs):
        rt = self._object_request('HEAD', Bucket, Key, kwargs)
        return dict(**rt.headers)

    def delete_object(self, Bucket, Key, **kwargs):
        rt = self._object_request('DELETE', Bucket, Key, kwargs)
        return dict(**rt.headers)

    def delete_objects(self, Bucket, Delete={}, **kwargs):
        xml_config = format_xml(data=Delete, root='Delete', lst=['<Object>', '</Object>'])
        headers = mapped(kwargs)
        headers['Content-MD5'] = get_md5(xml_config)
        headers['Content-Type'] = 'application/xml'
        params = {'delete': ''}
        rt = self.send_request('POST', self._conf.uri(bucket=Bucket), Bucket, data=xml_config,
                               auth=CosS3Auth(self._conf, params=params), headers=headers, params=params)
        data = xml_to_dict(rt.content)
        format_dict(data, ['Deleted', 'Error'])
        return data

    def copy_object(self, Bucket, Key, CopySource, CopyStatus='Copy', **kwargs):
        headers = mapped(kwargs)
        headers['x-cos-copy-source'] = gen_copy_source_url(CopySource)
        if CopyStatus not in ('Copy', 'Replaced'):
            raise CosClientError('CopyStatus must be Copy or Replaced')
        headers['x-cos-metadata-directive'] = CopyStatus
        rt = self.send_request('PUT', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key), headers=headers)
        body = xml_to_dict(rt.content)
        if 'ETag' not in body:
            raise CosServiceError('PUT', rt.content, 200)
        data = dict(**rt.headers)
        data.update(body)
        return data

    def append_object(self, Bucket, Key, Position, Data, **kwargs):
        headers = mapped(kwargs)
        params = format_values({'append': '', 'position': Position})
        rt = self.send_request('POST', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key, params=params),
                               data=Data, headers=headers, params=params)
        return dict(**rt.headers)

    def _acl_dict(self, rt):
        data = xml_to_dict(rt.content, "type", "Type")
        if data['AccessControlList'] is not None and isinstance(data['AccessControlList']['Grant'], dict):
            data['AccessControlList']['Grant'] = [data['AccessControlList']['Grant']]
        return data

    def put_object_acl(self, Bucket, Key, AccessControlPolicy={}, **kwargs):
        xml_config = format_xml(data=AccessControlPolicy, root='AccessControlPolicy', lst=['<Grant>', '</Grant>']) if AccessControlPolicy else ""
        self._put_xml(Bucket, Key, {'acl': ''}, xml_config, mapped(kwargs))
        return None

    def get_object_acl(self, Bucket, Key, **kwargs):
        rt = self._get_sub(Bucket, Key, {'acl': ''}, mapped(kwargs))
        return self._acl_dict(rt)

    def put_object_tagging(self, Bucket, Key, Tagging={}, **kwargs):
        xml_config = format_xml(data=Tagging, root='Tagging', lst=['<Tag>', '</Tag>'])
        self._put_xml(Bucket, Key, {'tagging': ''}, xml_config, mapped(kwargs), md5=True)
        return None

    def get_object_tagging(self, Bucket, Key, **kwargs):
        rt = self._get_sub(Bucket, Key, {'tagging': ''}, mapped(kwargs))
        data = xml_to_dict(rt.content)
        if 'TagSet' in data and data['TagSet']:
            format_dict(data['TagSet'], ['Tag'])
        return data

    def delete_object_tagging(self, Bucket, Key, **kwargs):
        self._delete_sub(Bucket, Key, {'tagging': ''}, mapped(kwargs))
        return None

    # ---- multipart

    def create_multipart_upload(self, Bucket, Key, **kwargs):
        headers = mapped(kwargs)
        params = {'uploads': ''}
        rt = self.send_request('POST', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key, params=params),
                               headers=headers, params=params)
        return xml_to_dict(rt.content)

    def upload_part(self, Bucket, Key, Body, PartNumber, UploadId, EnableMD5=False, **kwargs):
        headers = mapped(kwargs)
        params = format_values({'partNumber': PartNumber, 'uploadId': UploadId})
        if EnableMD5:
            headers['Content-MD5'] = get_content_md5(Body)
        rt = self.send_request('PUT', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key, params=params),
                               data=Body, headers=headers, params=params)
        return dict(**rt.headers)

    def complete_multipart_upload(self, Bucket, Key, UploadId, MultipartUpload={}, **kwargs):
        headers = mapped(kwargs)
        params = format_values({'uploadId': UploadId})
        rt = self.send_request('POST', self._conf.uri(bucket=Bucket, path=Key), Bucket, auth=CosS3Auth(self._conf, Key, params=params),
                               data=format_xml(data=MultipartUpload, root='CompleteMultipartUpload', lst=['<Part>', '</Part>']),
                               timeout=1200, headers=headers, params=params)
        body = xml_to_dict(rt.content)
        # A 200 whose body holds Code and Message is a failed completion.
        if 'Code' in body and 'Message' in body:
            raise CosServiceError('POST', rt.content, 200)
        data = dict(**rt.headers)
        data.update(body)
        return data

    def abort_multipart_upload(self, Bucket, Key, UploadId, **kwargs):
        params = format_values({'uploadId': UploadId})
        self._delete_sub(Bucket, Key, params, mapped(kwargs))
        return None

    def list_parts(self, Bucket, Key, UploadId, EncodingType='', MaxParts=1000, PartNumberMarker=0, **kwargs):
        params = {'uploadId': UploadId, 'part-number-marker': PartNumberMarker, 'max-parts': MaxParts}
        if EncodingType:
            params['encoding-type'] = EncodingType
        params = format_values(params)
        rt = self._get_sub(Bucket, Key, params, mapped(kwargs))
        data = xml_to_dict(rt.content)
        format_dict(data, ['Part'])
        return data

    def list_multipart_uploads(self, Bucket, Prefix="", Delimiter="", KeyMarker="", UploadIdMarker="", MaxUploads=1000, EncodingType="", **kwargs):
        params = {'uploads': '', 'prefix': Prefix, 'delimiter': Delimiter, 'key-marker': KeyMarker,
                  'upload-id-marker': UploadIdMarker, 'max-uploads': MaxUploads}
        if EncodingType:
            params['encoding-type'] = EncodingType
        params = format_values(params)
        rt = self._get_sub(Bucket, None, params, mapped(kwargs))
        data = xml_to_dict(rt.content)
        format_dict(data, ['Upload', 'CommonPrefixes'])
        return data

    # ---- high level

    def _get_resumable_uploadid(self, bucket, key):
        if key and key[0] == '/':
            key = key[1:]
        rt = self.list_multipart_uploads(Bucket=bucket, Prefix=key)
        for upload in rt.get('Upload', []):
            if key == upload['Key']:
                return upload['UploadId']
        return None

    def _upload_part(self, bucket, key, local_path, offset, size, part_num, uploadid, lst, resumable_flag, already_exist_parts, enable_md5):
        if resumable_flag and part_num in already_exist_parts:
            lst.append({'PartNumber': part_num, 'ETag': already_exist_parts[part_num]})
            return
        with open(local_path, 'rb') as fp:
            fp.seek(offset, 0)
            data = fp.read(size)
        rt = self.upload_part(bucket, key, data, part_num, uploadid, enable_md5)
        lst.append({'PartNumber': part_num, 'ETag': rt['ETag']})

    def upload_file(self, Bucket, Key, LocalFilePath, PartSize=1, MAXThread=5, EnableMD5=False, **kwargs):
        """Simple upload up to 20 MB, else multipart (1 MB parts, 5 threads), resuming an upload of the same key."""
        file_size = os.path.getsize(LocalFilePath)
        if file_size <= 1024 * 1024 * 20:
            with open(LocalFilePath, 'rb') as fp:
                return self.put_object(Bucket=Bucket, Key=Key, Body=fp, EnableMD5=EnableMD5, **kwargs)
        part_size = 1024 * 1024 * PartSize
        parts_num = file_size // part_size
        last_size = file_size % part_size
        if last_size != 0:
            parts_num += 1
        resumable_flag = False
        already_exist_parts = {}
        uploadid = self._get_resumable_uploadid(Bucket, Key)
        if uploadid is not None:
            resumable_flag = True
            for part in self.list_parts(Bucket, Key, uploadid).get('Part', []):
                already_exist_parts[int(part['PartNumber'])] = part['ETag']
        else:
            uploadid = self.create_multipart_upload(Bucket=Bucket, Key=Key, **kwargs)['UploadId']
        lst = []
        offset = 0
        with ThreadPoolExecutor(MAXThread) as pool:
            futures = []
            for i in range(1, parts_num + 1):
                size = file_size - offset if i == parts_num else part_size
                futures.append(pool.submit(self._upload_part, Bucket, Key, LocalFilePath, offset, size, i, uploadid, lst,
                                           resumable_flag, already_exist_parts, EnableMD5))
                offset += part_size
            for f in futures:
                f.result()
        lst = sorted(lst, key=lambda x: x['PartNumber'])
        return self.complete_multipart_upload(Bucket=Bucket, Key=Key, UploadId=uploadid, MultipartUpload={'Part': lst})

    # ---- pre-signed URLs

    def get_auth(self, Method, Bucket, Key, Expired=300, Headers={}, Params={}, SignHost=None):
        url = self._conf.uri(bucket=Bucket, path=Key)
        r = requests.Request(Method, url, headers=Headers, params=Params)
        auth = CosS3Auth(self._conf, Key, Params, Expired, SignHost)
        return auth(r).headers['Authorization']

    def get_presigned_url(self, Bucket, Key, Method, Expired=300, Params={}, Headers={}, SignHost=None):
        url = self._conf.uri(bucket=Bucket, path=Key)
        sign = self.get_auth(Method=Method, Bucket=Bucket, Key=Key, Expired=Expired, Headers=Headers, Params=Params, SignHost=SignHost)
        sign = urlencode(dict([item.split('=', 1) for item in sign.split('&')]))
        url = url + '?' + sign
        if Params:
            url = url + '&' + urlencode(Params)
        return url

    def get_presigned_download_url(self, Bucket, Key, Expired=300, Params={}, Headers={}, SignHost=None):
        return self.get_presigned_url(Bucket, Key, 'GET', Expired, Params, Headers, SignHost)

    def get_object_url(self, Bucket, Key):
        return self._conf.uri(bucket=Bucket, path=Key)
