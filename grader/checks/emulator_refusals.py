"""Telling the MongoDB emulator's own gaps from a learner's mistakes.

mongomock refuses some valid MongoDB (`$sortArray`, `$topN`, `$type` as a number or a list) with
the same kind of error a real server gives for a misspelt operator, and sometimes fails inside its
own code (a TypeError). Such a refusal says nothing about the learner's file, so the check ends as
`error` ("not run on the MongoDB emulator"), never as the learner's fail. An operator MongoDB does
not know (`$bogus`) is still the learner's mistake, as a real server would say.
"""

from __future__ import annotations

import re

# Operator names MongoDB accepts (query, update, aggregation stages and expressions): facts from its manual.
_OPERATOR_WORDS = """
eq gt gte in lt lte ne nin and not nor or exists type expr jsonSchema mod regex text where geoIntersects geoWithin
near nearSphere all elemMatch size bitsAllClear bitsAllSet bitsAnyClear bitsAnySet slice comment meta rand natural
currentDate inc min max mul rename set setOnInsert unset addToSet pop pull push pullAll each position sort
addFields bucket bucketAuto changeStream collStats count densify documents facet fill geoNear graphLookup group
indexStats limit listSessions lookup match merge out planCacheStats project redact replaceRoot replaceWith sample
search searchMeta setWindowFields skip sortByCount unionWith unset unwind abs acos acosh add allElementsTrue
anyElementTrue arrayElemAt arrayToObject asin asinh atan atan2 atanh avg binarySize bottom bottomN bsonSize ceil cmp
concat concatArrays cond convert cos cosh covariancePop covarianceSamp dateAdd dateDiff dateFromParts
dateFromString dateSubtract dateToParts dateToString dateTrunc dayOfMonth dayOfWeek dayOfYear degreesToRadians
denseRank derivative divide documentNumber exp expMovingAvg filter first firstN floor function getField hour ifNull
indexOfArray indexOfBytes indexOfCP integral isArray isNumber isoDayOfWeek isoWeek isoWeekYear last lastN let
linearFill literal ln locf log log10 ltrim map maxN median mergeObjects millisecond minN minute month multiply
objectToArray percentile pow radiansToDegrees range rank reduce regexFind regexFindAll regexMatch replaceAll
replaceOne reverseArray round rtrim second setDifference setEquals setField setIntersection setIsSubset setUnion
shift sin sinh sortArray split sqrt stdDevPop stdDevSamp strLenBytes strLenCP strcasecmp substr substrBytes
substrCP subtract sum switch tan tanh toBool toDate toDecimal toDouble toInt toLong toLower toObjectId toString
toUpper top topN trim trunc tsIncrement tsSecond unsetField week year zip accumulator
"""
KNOWN_OPERATORS = frozenset(_OPERATOR_WORDS.split())
_NAMED = re.compile(r"(?:Unrecognized expression|unknown operator|Unrecognized pipeline stage name|"
                    r"unknown top level operator)[:\s]*'?\$(\w+)", re.IGNORECASE)
_VALID_TYPE_FORMS = re.compile(r"is not a valid \$type", re.IGNORECASE)


def refusal(exc: BaseException) -> str | None:
    """What the emulator could not do, when `exc` (raised by mongomock) is its gap, not the learner's error."""
    from pymongo.errors import OperationFailure

    if isinstance(exc, NotImplementedError):
        return f"a feature mongomock does not implement ({exc})"
    if isinstance(exc, OperationFailure):
        text = str(exc)
        named = _NAMED.search(text)
        if named is not None and named.group(1) in KNOWN_OPERATORS:
            return f"${named.group(1)}, a valid MongoDB operator that mongomock does not implement"
        if _VALID_TYPE_FORMS.search(text):
            return f"a form of $type that MongoDB accepts and mongomock does not ({text})"
        return None
    if isinstance(exc, (TypeError, ValueError, KeyError, AttributeError, IndexError)):
        return f"mongomock failed inside its own code ({type(exc).__name__}: {exc})"
    return None
