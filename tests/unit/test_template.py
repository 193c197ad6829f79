"""template.yaml keeps its security and reliability properties (parsed with cfn-lint's loader)."""

from __future__ import annotations

import pytest
from cfnlint.decode import cfn_yaml

import functions.api.app as api
from passport_ocr_local import aws as local_aws
from support.paths import ROOT

# The API routes and whether API Gateway lets them through without a Cognito token.
OPEN_ROUTES = {("/", "get"), ("/openapi.json", "get"), ("/swagger", "get")}
PROTECTED_ROUTES = {
    ("/upload", "post"),
    ("/uploads", "post"),
    ("/passports", "get"),
    ("/passports/{passport_id}", "get"),
    ("/passports/{passport_id}", "delete"),
}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".pdf"}


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(ROOT / "template.yaml"))


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template["Resources"]


def of_type(resources: dict, type_name: str) -> dict:
    return {name: r for name, r in resources.items() if r["Type"] == type_name}


def function_timeout(template: dict, function: dict) -> int:
    return int(function["Properties"].get("Timeout", template["Globals"]["Function"]["Timeout"]))


def test_bucket_is_encrypted_with_kms_and_private(resources):
    bucket = resources["UploadBucket"]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    assert resources["DataKey"]["Properties"]["EnableKeyRotation"] is True
    block = bucket["PublicAccessBlockConfiguration"]
    assert all(block[name] is True for name in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"


def test_bucket_policy_denies_plain_http(resources):
    policy = resources["UploadBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "UploadBucket"}
    deny = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(
        s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Principal"] == "*" and s["Action"] == "s3:*"
        for s in deny
    )


def test_uploads_expire_after_the_retention(resources):
    rules = resources["UploadBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    by_prefix = {rule["Prefix"]: rule for rule in rules}
    for prefix in ("uploads/", api.API_PREFIX):
        assert by_prefix[prefix]["Status"] == "Enabled"
        assert by_prefix[prefix]["ExpirationInDays"] == {"Ref": "RetentionDays"}


def test_notification_covers_image_uploads_and_not_the_api_prefix(resources):
    configurations = resources["UploadBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    suffixes = set()
    for configuration in configurations:
        assert configuration["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}
        assert configuration["Event"] == "s3:ObjectCreated:*"
        rules = {rule["Name"]: rule["Value"] for rule in configuration["Filter"]["S3Key"]["Rules"]}
        assert rules["prefix"] == "uploads/"
        suffixes.add(rules["suffix"])
    assert suffixes == IMAGE_SUFFIXES
    assert set(api.UPLOAD_SUFFIXES) == IMAGE_SUFFIXES
    # The local stack provisions the same notification filter (tools/passport_ocr_local).
    assert set(local_aws.IMAGE_SUFFIXES) == IMAGE_SUFFIXES
    local_rules = local_aws.notification_rules("arn:aws:sqs:us-east-1:123456789012:q")
    assert {
        (rule["Filter"]["Key"]["FilterRules"][0]["Value"], rule["Filter"]["Key"]["FilterRules"][1]["Value"]) for rule in local_rules
    } == {("uploads/", suffix) for suffix in IMAGE_SUFFIXES}
    # The API stores its own uploads where the notification does not look (no double extraction).
    assert not api.API_PREFIX.startswith("uploads/")


def test_queue_policy_admits_only_our_bucket(resources):
    statement = next(
        s for s in resources["IngestQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
    )
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sqs:SendMessage"
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = statement["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
    bucket_name = resources["UploadBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    # Same name expression on both sides: the policy names the bucket without referencing it.
    assert source_arn[0].endswith(bucket_name[0]) and source_arn[1] == bucket_name[1]
    assert "IngestQueuePolicy" in resources["UploadBucket"]["DependsOn"]


def test_queues_are_encrypted_and_failed_messages_go_to_the_dlq(resources):
    queue = resources["IngestQueue"]["Properties"]
    dlq = resources["IngestDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True and dlq["SqsManagedSseEnabled"] is True
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["IngestDeadLetterQueue", "Arn"]},
        "maxReceiveCount": {"Ref": "MaxReceiveCount"},
    }
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_ingest_reports_batch_item_failures_and_visibility_outlasts_retries(template, resources):
    ingest = resources["IngestFunction"]
    (event,) = ingest["Properties"]["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["IngestQueue", "Arn"]}
    assert "ReportBatchItemFailures" in event["Properties"]["FunctionResponseTypes"]
    visibility = resources["IngestQueue"]["Properties"]["VisibilityTimeout"]
    assert visibility >= 6 * function_timeout(template, ingest)


def test_every_protected_route_has_the_cognito_authorizer(resources):
    auth = resources["PassportApi"]["Properties"]["Auth"]
    assert auth["DefaultAuthorizer"] == "CognitoAuthorizer"
    assert auth["Authorizers"]["CognitoAuthorizer"]["UserPoolArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    routes = {}
    for event in resources["ApiFunction"]["Properties"]["Events"].values():
        assert event["Type"] == "Api"
        props = event["Properties"]
        assert props["RestApiId"] == {"Ref": "PassportApi"}
        routes[(props["Path"], props["Method"])] = props.get("Auth", {}).get("Authorizer")
    assert set(routes) == OPEN_ROUTES | PROTECTED_ROUTES
    assert {route for route, authorizer in routes.items() if authorizer == "NONE"} == OPEN_ROUTES
    assert all(routes[route] is None for route in PROTECTED_ROUTES)


def test_the_api_handler_routes_match_the_template(resources):
    handled = {
        (path, method.lower())
        for path, item in api.app.get_openapi_schema().paths.items()
        for method in ("get", "post", "delete")
        if getattr(item, method) is not None
    }
    # Powertools serves /swagger itself and leaves it out of the document it describes.
    assert handled | {("/swagger", "get")} == OPEN_ROUTES | PROTECTED_ROUTES


def test_binary_uploads_reach_the_function_intact(resources):
    assert set(resources["PassportApi"]["Properties"]["BinaryMediaTypes"]) == {
        "multipart~1form-data",
        "image~1*",
        "application~1pdf",
    }


def test_database_is_encrypted_private_and_snapshotted(resources):
    database = resources["Database"]
    props = database["Properties"]
    assert props["Engine"] == "postgres" and str(props["EngineVersion"]).startswith("16")
    assert props["StorageEncrypted"] is True
    assert props["PubliclyAccessible"] is False
    assert props["ManageMasterUserPassword"] is True
    assert database["DeletionPolicy"] == "Snapshot"
    proxy = resources["DatabaseProxy"]["Properties"]
    assert proxy["RequireTLS"] is True
    assert proxy["Auth"][0]["SecretArn"] == {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}


def test_database_is_reachable_only_through_the_proxy_from_the_functions(resources):
    database_ingress = resources["DatabaseSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [rule["SourceSecurityGroupId"] for rule in database_ingress] == [{"Ref": "ProxySecurityGroup"}]
    proxy_ingress = resources["ProxySecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [rule["SourceSecurityGroupId"] for rule in proxy_ingress] == [{"Ref": "FunctionSecurityGroup"}]


def test_functions_run_in_the_private_subnets_with_both_layers(template, resources):
    function_globals = template["Globals"]["Function"]
    assert function_globals["VpcConfig"]["SubnetIds"] == [{"Ref": "PrivateSubnetA"}, {"Ref": "PrivateSubnetB"}]
    assert function_globals["Layers"] == [{"Ref": "CoreLayer"}, {"Ref": "DepsLayer"}]
    assert function_globals["Architectures"] == ["x86_64"]
    assert function_globals["Environment"]["Variables"]["PASSPORT_OCR_MODEL_DIR"] == "/opt/python/rapidocr/models"
    for name, function in of_type(resources, "AWS::Serverless::Function").items():
        assert "VpcConfig" not in function["Properties"], f"{name} overrides the VPC"


def test_each_function_gets_only_its_bucket_rights(resources):
    def policy_names(function: str) -> set[str]:
        names = set()
        for policy in resources[function]["Properties"]["Policies"]:
            names.update(k for k in policy if k != "Fn::If")
        return names

    assert "S3ReadPolicy" in policy_names("IngestFunction")
    assert not {"S3CrudPolicy", "S3WritePolicy", "S3FullAccessPolicy"} & policy_names("IngestFunction")
    assert "S3CrudPolicy" in policy_names("ApiFunction")
    assert not {"S3ReadPolicy", "S3CrudPolicy", "S3WritePolicy"} & policy_names("MigrateFunction")


def test_outputs(template):
    assert {"ApiUrl", "BucketName", "QueueUrl", "DlqUrl", "UserPoolId", "UserPoolClientId"} <= set(template["Outputs"])


def test_layers_are_built_by_their_makefiles(resources):
    for name in ("CoreLayer", "DepsLayer"):
        layer = resources[name]
        assert layer["Metadata"]["BuildMethod"] == "makefile"
        makefile = (ROOT / layer["Properties"]["ContentUri"] / "Makefile").read_text()
        assert f"build-{name}:" in makefile
    deps_makefile = (ROOT / "layers/deps/Makefile").read_text()
    assert "--no-deps" in deps_makefile and "strip " not in deps_makefile
